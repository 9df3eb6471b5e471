import Routing
import Synchronization
import SwitchyardCore

/// The shared, locked ``DirectoryState`` of one gateway: registry events go in, leases come out.
public final class WorkerDirectory: Sendable {
    private struct State: Sendable {
        var directory: DirectoryState
        var policy: any DispatchPolicy
        var random = SystemRandomNumberGenerator()
    }

    private let state: Mutex<State>

    public init(dispatch: DispatchMethod = .shortestQueue, restartRetention: Duration = .seconds(15)) {
        state = Mutex(State(directory: DirectoryState(restartRetention: restartRetention), policy: dispatch.makePolicy()))
    }

    public func apply(_ event: RegistryEvent) {
        state.withLock { $0.directory.apply(event, now: .now) }
    }

    /// Picks a worker for `model`; the returned lease counts as in flight until it is released or dropped.
    public func lease(model: String, retryAfter: Duration) throws(OpenAIError) -> Lease {
        let pick = state.withLock { state in
            state.directory.lease(model: model, policy: &state.policy, using: &state.random, now: .now)
        }
        switch pick {
        case .worker(let address): return Lease(address: address, directory: self)
        case .unknownModel: throw .modelNotFound(model)
        case .unavailable: throw .noCapacity(model, retryAfter: retryAfter)
        }
    }

    func release(_ address: String) {
        state.withLock { $0.directory.release(address) }
    }

    public var modelNames: [String] {
        state.withLock { $0.directory.modelNames }
    }

    public var snapshot: DirectoryState {
        state.withLock { $0.directory }
    }
}

/// One request's claim on a worker, counted as in flight until released (see ``ReleaseOnce``).
public struct Lease: Sendable {
    public let address: String
    public let release: ReleaseOnce

    init(address: String, directory: WorkerDirectory) {
        self.address = address
        self.release = ReleaseOnce { directory.release(address) }
    }
}
