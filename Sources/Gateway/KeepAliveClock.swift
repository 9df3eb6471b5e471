import Synchronization

/// One clock for the keep-alives of every open stream: it ticks each registered stream once per
/// interval, instead of each stream running a task that sleeps on a timer of its own. It runs
/// only while some stream is registered.
final class KeepAliveClock: Sendable {
    private struct State {
        var nextID = 0
        var streams: [Int: AsyncStream<StreamRelay.Event>.Continuation] = [:]
        var ticker: Task<Void, Never>?
    }

    let interval: Duration
    private let state = Mutex(State())

    init(interval: Duration) {
        self.interval = interval
    }

    /// Ticks `stream` from now on, until ``unregister(_:)`` with the returned id.
    func register(_ stream: AsyncStream<StreamRelay.Event>.Continuation) -> Int {
        state.withLock { state in
            defer { state.nextID += 1 }
            state.streams[state.nextID] = stream
            if state.ticker == nil { state.ticker = Task { [weak self] in await self?.tick() } }
            return state.nextID
        }
    }

    func unregister(_ id: Int) {
        let idle = state.withLock { state -> Task<Void, Never>? in
            state.streams[id] = nil
            guard state.streams.isEmpty else { return nil }
            defer { state.ticker = nil }
            return state.ticker
        }
        idle?.cancel()
    }

    private func tick() async {
        while (try? await Task.sleep(for: interval)) != nil {
            state.withLock { state in
                for stream in state.streams.values { stream.yield(.tick) }
            }
        }
    }
}
