import Foundation
import Routing
import Synchronization
import SwitchyardCore

/// The controller's shared registry: one lock around a ``WorkerRegistry`` plus the watchers
/// that receive every change, in order, through ``watch()``.
public final class RegistryStore: Sendable {
    /// Identifies this controller run, so a mirror can tell a reconnect from a controller restart.
    public let controllerID: String

    private struct State: Sendable {
        var registry: WorkerRegistry
        var policy: any DispatchPolicy
        var watchers: [Int: AsyncStream<RegistryEvent>.Continuation] = [:]
        var nextWatcher = 0
        var random = SystemRandomNumberGenerator()

        mutating func publish(_ event: RegistryEvent) {
            for watcher in watchers.values { watcher.yield(event) }
        }
    }

    private let state: Mutex<State>

    public init(dispatch: DispatchMethod = .shortestQueue, capacity: Int = WorkerRegistry.defaultCapacity) {
        self.controllerID = UUID().uuidString.lowercased()
        self.state = Mutex(State(registry: WorkerRegistry(capacity: capacity), policy: dispatch.makePolicy()))
    }

    /// Adds or replaces a worker; returns false, changing nothing, when it does not fit in the
    /// registry (see ``WorkerRegistry/admits(address:status:)``): then answer ``registryFull``.
    @discardableResult
    public func register(_ request: FastChat.RegisterWorker, status: WorkerStatus) -> Bool {
        state.withLock { state in
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

    /// Records a heartbeat; returns false for an unknown worker.
    public func heartbeat(_ beat: FastChat.HeartBeat) -> Bool {
        state.withLock { state in
            switch state.registry.heartbeat(address: beat.workerName, queueLength: beat.queueLength, state: beat.state, activity: beat.activity, now: .now) {
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
        state.withLock { state in
            let record = state.registry.setState(newState, of: address, now: .now)
            if let record { state.publish(.upsert(record)) }
            return record
        }
    }

    public func remove(address: String) {
        state.withLock { state in
            if state.registry.remove(address: address) {
                state.publish(.remove(address: address))
            }
        }
    }

    /// Drops workers whose heartbeats stopped; returns their addresses.
    @discardableResult
    public func removeExpired(expiry: Duration) -> [String] {
        state.withLock { state in
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

    /// Every change from now on, after one snapshot of the whole registry.
    public func watch() -> AsyncStream<RegistryEvent> {
        let (stream, continuation) = AsyncStream<RegistryEvent>.makeStream()
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
