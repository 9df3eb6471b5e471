import Synchronization
import SwitchyardCore

/// Admits requests under a concurrency limit, in arrival order; waiting callers can be cancelled.
public final class ConcurrencyLimiter: Sendable {
    private struct State: Sendable {
        var limiter: LimiterState
        var continuations: [Int: CheckedContinuation<Void, any Error>] = [:]
    }

    private let state: Mutex<State>

    public init(limit: Int) {
        state = Mutex(State(limiter: LimiterState(limit: limit)))
    }

    public var queueLength: Int { state.withLock { $0.limiter.queueLength } }
    /// Requests holding a slot now.
    public var running: Int { state.withLock { $0.limiter.running } }
    public var limit: Int { state.withLock { $0.limiter.limit } }

    /// Waits for a slot; the returned value frees it when called or dropped.
    public func acquire() async throws -> ReleaseOnce {
        let ticket = state.withLock { $0.limiter.issueTicket() }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let admission = state.withLock { state in
                    let admission = state.limiter.arrive(ticket)
                    if admission == .wait { state.continuations[ticket] = continuation }
                    return admission
                }
                switch admission {
                case .run: continuation.resume()
                case .cancelled: continuation.resume(throwing: CancellationError())
                case .wait: break
                }
            }
        } onCancel: {
            let continuation = state.withLock { state in
                state.limiter.cancel(ticket) ? state.continuations.removeValue(forKey: ticket) : nil
            }
            continuation?.resume(throwing: CancellationError())
        }
        return ReleaseOnce { [self] in release() }
    }

    private func release() {
        let next = state.withLock { state in
            state.limiter.release().flatMap { state.continuations.removeValue(forKey: $0) }
        }
        next?.resume()
    }

    /// Returns once nothing runs or waits.
    public func waitUntilIdle(polling interval: Duration = .milliseconds(20)) async {
        while queueLength > 0 {
            try? await Task.sleep(for: interval)
        }
    }
}
