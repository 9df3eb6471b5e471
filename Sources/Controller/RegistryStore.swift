import Foundation
import Routing
import Synchronization
import SwitchyardCore

/// The controller's shared registry: one lock around a ``WorkerRegistry`` plus the watchers
/// that receive every change, in order, through ``watch()``.
///
/// A watcher's buffer is bounded: one that falls ``watchBufferLimit`` changes behind is dropped
/// (its stream ends after what it holds) rather than buffered without limit or silently missing
/// a change; watchers reconnect and start again from a fresh snapshot.
public final class RegistryStore: Sendable {
    /// Identifies this controller run, so a mirror can tell a reconnect from a controller restart.
    public let controllerID: String
    /// Changes a watcher may have waiting before it is dropped.
    public let watchBufferLimit: Int

    private struct State: Sendable {
        var registry: WorkerRegistry
        var policy: any DispatchPolicy
        var watchers: [Int: AsyncStream<RegistryEvent>.Continuation] = [:]
        /// Watchers whose buffer was full, to be ended once the lock is released.
        var fallenBehind: [AsyncStream<RegistryEvent>.Continuation] = []
        var nextWatcher = 0
        var nextBeatStream: UInt64 = 0
        var random = SystemRandomNumberGenerator()

        mutating func publish(_ event: RegistryEvent) {
            for (id, watcher) in watchers {
                if case .dropped = watcher.yield(event) {
                    watchers.removeValue(forKey: id)
                    fallenBehind.append(watcher)
                }
            }
        }
    }

    private let state: Mutex<State>

    public init(dispatch: DispatchMethod = .shortestQueue, watchBufferLimit: Int = 1024, capacity: Int = WorkerRegistry.defaultCapacity) {
        self.controllerID = UUID().uuidString.lowercased()
        self.watchBufferLimit = max(watchBufferLimit, 1)
        self.state = Mutex(State(registry: WorkerRegistry(capacity: capacity), policy: dispatch.makePolicy()))
    }

    /// Runs a change under the lock, then ends the streams of the watchers it left behind: ending
    /// a stream runs its termination handler, which takes the lock.
    private func change<Result: Sendable>(_ body: (inout State) -> Result) -> Result {
        let (result, fallenBehind) = state.withLock { state in
            let result = body(&state)
            let fallenBehind = state.fallenBehind
            state.fallenBehind = []
            return (result, fallenBehind)
        }
        for watcher in fallenBehind { watcher.finish() }
        return result
    }

    /// Adds or replaces a worker; returns false, changing nothing, when it does not fit in the
    /// registry (see ``WorkerRegistry/admits(address:status:)``): then answer ``registryFull``.
    @discardableResult
    public func register(_ request: FastChat.RegisterWorker, status: WorkerStatus) -> Bool {
        change { state in
            guard
                let record = state.registry.register(
                    address: request.workerName,
                    status: status,
                    checkHeartBeat: request.checkHeartBeat,
                    multimodal: request.multimodal ?? false,
                    now: .now
                )
            else { return false }
            state.publish(.upsert(record))
            return true
        }
    }

    /// The 503 of a registration that does not fit.
    public var registryFull: OpenAIError {
        let (workers, modelNames) = state.withLock { ($0.registry.capacity, $0.registry.modelNameCapacity) }
        return OpenAIError(
            status: .serviceUnavailable,
            message: "The registry is full: it holds at most \(workers) workers and \(modelNames) model names in all.",
            code: "registry_full"
        )
    }

    /// Records a heartbeat, sent over `stream` or (nil) in a POST; returns false for an unknown worker.
    public func heartbeat(_ beat: FastChat.HeartBeat, stream: UInt64? = nil) -> Bool {
        change { state in
            switch state.registry.heartbeat(
                address: beat.workerName, queueLength: beat.queueLength, state: beat.state, activity: beat.activity, stream: stream, now: .now
            ) {
            case .unknown:
                return false
            case .refreshed:
                return true
            case .changed(let record):
                state.publish(.upsert(record))
                return true
            }
        }
    }

    /// Sets a worker's state and publishes it; returns the record, or nil for an unknown worker.
    public func setState(_ newState: WorkerState, of address: String) -> WorkerRecord? {
        change { state in
            let record = state.registry.setState(newState, of: address, now: .now)
            if let record { state.publish(.upsert(record)) }
            return record
        }
    }

    public func remove(address: String) {
        change { state in
            if state.registry.remove(address: address) {
                state.publish(.remove(address: address))
            }
        }
    }

    /// A new heartbeat stream's identity.
    public func openBeatStream() -> UInt64 {
        state.withLock { state in
            defer { state.nextBeatStream &+= 1 }
            return state.nextBeatStream
        }
    }

    /// Drops the workers that beat over `stream` (among `addresses`), which broke; returns them.
    @discardableResult
    public func beatStreamBroke(_ stream: UInt64, addresses: some Sequence<String>) -> [String] {
        change { state in
            let gone = state.registry.removeBeatenOver(stream, addresses: addresses)
            for address in gone { state.publish(.remove(address: address)) }
            return gone
        }
    }

    /// Drops workers whose heartbeats stopped; returns their addresses.
    @discardableResult
    public func removeExpired(expiry: Duration) -> [String] {
        change { state in
            let expired = state.registry.removeExpired(now: .now, expiry: expiry)
            for address in expired { state.publish(.remove(address: address)) }
            return expired
        }
    }

    public func records() -> [WorkerRecord] {
        state.withLock { $0.registry.records(now: .now) }
    }

    /// Registered workers with their registration flags, for a refresh.
    public func entries() -> [(address: String, entry: WorkerRegistry.Entry)] {
        state.withLock { state in state.registry.entries.map { ($0.key, $0.value) } }
    }

    public func modelNames(multimodal: Bool? = nil) -> [String] {
        state.withLock { $0.registry.modelNames(multimodal: multimodal) }
    }

    public var aggregateStatus: WorkerStatus {
        state.withLock { $0.registry.aggregateStatus }
    }

    public func pickWorker(for model: String) -> String? {
        state.withLock { state in
            state.registry.pickWorker(for: model, policy: &state.policy, using: &state.random)
        }
    }

    /// Every change from now on, after one snapshot of the whole registry. The stream ends when
    /// the watcher falls ``watchBufferLimit`` changes behind: watch again for a fresh snapshot.
    public func watch() -> AsyncStream<RegistryEvent> {
        let (stream, continuation) = AsyncStream<RegistryEvent>.makeStream(bufferingPolicy: .bufferingOldest(watchBufferLimit))
        let id = state.withLock { state in
            let id = state.nextWatcher
            state.nextWatcher += 1
            continuation.yield(.snapshot(controllerID: controllerID, workers: state.registry.records(now: .now)))
            state.watchers[id] = continuation
            return id
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.watchers.removeValue(forKey: id) }
        }
        return stream
    }
}
