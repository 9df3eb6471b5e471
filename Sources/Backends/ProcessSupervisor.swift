import Foundation
import Logging
import Synchronization

/// Keeps the worker's model server running: launches it, probes it until it answers, relaunches
/// it with backoff when it dies, and stops it (SIGTERM, then SIGKILL) when the worker stops.
///
/// The decisions are ``ProcessSupervisorState``'s; this type only carries them out, feeding it
/// events one at a time from a single loop, so no two decisions race.
public final class ProcessSupervisor: Sendable {
    public let configuration: ProcessSupervisorConfiguration
    let logger: Logger
    /// Whether the server answers; the readiness probe.
    let probe: @Sendable () async -> Bool
    private let state: Mutex<ProcessSupervisorState>
    private let events: AsyncStream<Event>
    private let sink: AsyncStream<Event>.Continuation

    enum Event: Sendable {
        case answered(launch: Int)
        case exited(launch: Int, status: Int32)
        case backoffElapsed
        case shutdown
    }

    public init(configuration: ProcessSupervisorConfiguration, logger: Logger, probe: @escaping @Sendable () async -> Bool) {
        self.configuration = configuration
        self.logger = logger
        self.probe = probe
        self.state = Mutex(
            ProcessSupervisorState(
                initialBackoff: configuration.initialBackoff,
                maximumBackoff: configuration.maximumBackoff,
                resetAfter: configuration.resetAfter
            )
        )
        (events, sink) = AsyncStream.makeStream(of: Event.self)
    }

    /// Whether the server answers requests.
    public var isReady: Bool { state.withLock { $0.isReady } }

    /// How long a client turned away now should wait.
    public func retryAfter() -> Duration {
        state.withLock { $0.retryAfter(at: .now) }
    }

    /// Asks ``run()`` to stop the server and return.
    public func stop() {
        sink.yield(.shutdown)
    }

    /// Supervises until ``stop()`` and the server's exit; call it once. Cancelled instead, it
    /// kills the server at once: the worker is going down without time for grace.
    public func run() async {
        await withDiscardingTaskGroup { group in
            var child: ChildProcess?
            var action = state.withLock { $0.start(at: .now) }
            var pending = events.makeAsyncIterator()
            while true {
                switch action {
                case .launch:
                    child = launch(in: &group)
                case .restart(let delay):
                    logger.warning("backend process exited; restarting", metadata: ["after": "\(delay)"])
                    group.addTask { [sink] in
                        try? await Task.sleep(for: delay)
                        sink.yield(.backoffElapsed)
                    }
                case .terminate:
                    guard let child else { break }
                    logger.info("stopping backend process", metadata: ["pid": "\(child.pid)"])
                    child.signal(SIGTERM)
                    group.addTask { [configuration, logger] in
                        guard (try? await Task.sleep(for: configuration.stopGracePeriod)) != nil, child.isRunning else { return }
                        logger.warning("backend process ignored SIGTERM; killing it", metadata: ["pid": "\(child.pid)"])
                        child.signal(SIGKILL)
                    }
                case .finish:
                    logger.info("backend process stopped")
                    group.cancelAll()
                    return
                case .none:
                    break
                }
                guard let event = await pending.next() else {
                    if let child, child.isRunning { child.signal(SIGKILL) }
                    return
                }
                action = handle(event)
            }
        }
    }

    private func handle(_ event: Event) -> ProcessSupervisorState.Action {
        let now = ContinuousClock.now
        switch event {
        case .answered(let launch):
            let (action, ready) = state.withLock { state in (state.childAnswered(launch: launch, at: now), state.isReady) }
            if ready { logger.info("backend process ready") }
            return action
        case .exited(let launch, let status):
            logger.notice("backend process exited", metadata: ["status": "\(status)"])
            return state.withLock { $0.childExited(launch: launch, at: now) }
        case .backoffElapsed:
            return state.withLock { $0.backoffElapsed(at: now) }
        case .shutdown:
            return state.withLock { $0.shutdown() }
        }
    }

    /// Starts the child of the current launch and its readiness probe; a child that cannot even
    /// be launched counts as one that exited.
    private func launch(in group: inout DiscardingTaskGroup) -> ChildProcess? {
        let launch = state.withLock { $0.launch }
        do {
            let child = try ChildProcess(command: configuration.command, logger: logger) { [sink] status in
                sink.yield(.exited(launch: launch, status: status))
            }
            logger.info("backend process started", metadata: ["pid": "\(child.pid)", "command": "\(configuration.command)"])
            group.addTask { await self.probeUntilReady(launch: launch) }
            return child
        } catch {
            logger.error("backend process could not be launched", metadata: ["error": "\(error)"])
            sink.yield(.exited(launch: launch, status: -1))
            return nil
        }
    }

    private func probeUntilReady(launch: Int) async {
        while !Task.isCancelled, state.withLock({ $0.isStarting(launch: launch) }) {
            if await probe() {
                sink.yield(.answered(launch: launch))
                return
            }
            try? await Task.sleep(for: configuration.probeInterval)
        }
    }
}
