import Synchronization

/// Runs a release action exactly once: when called, or at the latest when the last reference goes.
///
/// Request handlers hand these to response bodies, so no path (client gone, body never written)
/// can leak a concurrency slot or an in-flight count.
public final class ReleaseOnce: Sendable {
    private let action: @Sendable () -> Void
    private let done = Atomic<Bool>(false)

    public init(_ action: @escaping @Sendable () -> Void) {
        self.action = action
    }

    public func callAsFunction() {
        if !done.exchange(true, ordering: .acquiringAndReleasing) { action() }
    }

    deinit { self() }
}
