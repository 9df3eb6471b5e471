import NIOCore
import Synchronization

/// When the worker last heard from its upstream, so health checks leave a busy upstream alone.
///
/// A probe is a request like any other to the model server, and some servers let a waiting
/// request cut the current stream short: llama-cpp-python's server, by default
/// (`interrupt_requests`), ends a stream with `[DONE]` as soon as any other request, even
/// `GET /v1/models`, waits for the model. An upstream that answered within ``quietPeriod`` is up.
final class UpstreamActivity: Sendable {
    let quietPeriod: Duration
    private let lastHeard = Atomic<UInt64>(0)

    init(quietPeriod: Duration = .seconds(30)) {
        self.quietPeriod = quietPeriod
    }

    /// The upstream answered with success, or sent part of a successful answer.
    func heard() {
        lastHeard.store(NIODeadline.now().uptimeNanoseconds, ordering: .relaxed)
    }

    /// The upstream could not be reached or did not answer in time: probe it again at once.
    func forget() {
        lastHeard.store(0, ordering: .relaxed)
    }

    /// Whether the upstream answered recently enough that a probe would tell nothing new.
    var isRecent: Bool {
        let last = lastHeard.load(ordering: .relaxed)
        guard last > 0 else { return false }
        return NIODeadline.now().uptimeNanoseconds - last < UInt64(quietPeriod.components.seconds) * 1_000_000_000
    }
}
