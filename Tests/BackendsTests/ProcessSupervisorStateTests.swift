import Backends
import Testing

/// The supervisor's decisions, on instants made up from one origin: no processes, no waiting.
@Suite struct ProcessSupervisorStateTests {
    let origin = ContinuousClock.now

    func at(_ seconds: Double) -> ContinuousClock.Instant {
        origin + .milliseconds(Int64(seconds * 1000))
    }

    @Test func launchesThenIsReadyOnceTheChildAnswers() {
        var state = ProcessSupervisorState()
        #expect(state.start(at: at(0)) == .launch)
        #expect(state.launch == 1)
        #expect(state.phase == .starting(since: at(0)))
        #expect(!state.isReady)
        #expect(state.isStarting(launch: 1))
        #expect(state.childAnswered(launch: 1, at: at(2)) == .none)
        #expect(state.phase == .ready(since: at(2)))
        #expect(state.isReady)
        #expect(!state.isStarting(launch: 1))
        #expect(state.start(at: at(3)) == .none)
    }

    @Test func backoffDoublesUpToTheMaximumWhileTheChildKeepsDying() {
        var state = ProcessSupervisorState()
        _ = state.start(at: at(0))
        var now = 0.0
        var delays: [Duration] = []
        for _ in 0..<7 {
            now += 1
            guard case .restart(let delay) = state.childExited(launch: state.launch, at: at(now)) else {
                Issue.record("no restart after an exit")
                return
            }
            #expect(state.phase == .backingOff(until: at(now) + delay))
            #expect(!state.isReady)
            delays.append(delay)
            now += Double(delay.components.seconds)
            #expect(state.backoffElapsed(at: at(now)) == .launch)
            #expect(state.phase == .starting(since: at(now)))
        }
        #expect(delays == [1, 2, 4, 8, 16, 30, 30].map { Duration.seconds($0) })
        #expect(state.launch == 8)
    }

    @Test func aChildThatStayedReadyLongEnoughRestartsAfterTheShortestBackoff() {
        var state = ProcessSupervisorState(initialBackoff: .seconds(1), maximumBackoff: .seconds(30), resetAfter: .seconds(30))
        _ = state.start(at: at(0))
        #expect(state.childExited(launch: 1, at: at(1)) == .restart(after: .seconds(1)))
        _ = state.backoffElapsed(at: at(2))
        #expect(state.childExited(launch: 2, at: at(3)) == .restart(after: .seconds(2)))
        _ = state.backoffElapsed(at: at(5))
        _ = state.childAnswered(launch: 3, at: at(6))
        // Ready for less than `resetAfter`: still a crash loop.
        #expect(state.childExited(launch: 3, at: at(35)) == .restart(after: .seconds(4)))
        _ = state.backoffElapsed(at: at(39))
        _ = state.childAnswered(launch: 4, at: at(40))
        #expect(state.childExited(launch: 4, at: at(70)) == .restart(after: .seconds(1)))
        #expect(state.nextBackoff == .seconds(2))
    }

    @Test func newsOfAnEarlierChildIsIgnored() {
        var state = ProcessSupervisorState()
        _ = state.start(at: at(0))
        _ = state.childExited(launch: 1, at: at(1))
        _ = state.backoffElapsed(at: at(2))
        #expect(state.childAnswered(launch: 1, at: at(3)) == .none)
        #expect(state.childExited(launch: 1, at: at(3)) == .none)
        #expect(state.phase == .starting(since: at(2)))
        #expect(!state.isStarting(launch: 1))
        #expect(state.backoffElapsed(at: at(4)) == .none)
        #expect(state.launch == 2)
    }

    @Test func shutdownTerminatesARunningChildAndFinishesWhenItExits() {
        var state = ProcessSupervisorState()
        _ = state.start(at: at(0))
        _ = state.childAnswered(launch: 1, at: at(1))
        #expect(state.shutdown() == .terminate)
        #expect(state.phase == .stopping)
        #expect(!state.isReady)
        #expect(state.shutdown() == .none)
        // The child it stopped is not restarted.
        #expect(state.childExited(launch: 1, at: at(2)) == .finish)
        #expect(state.phase == .stopped)
        #expect(state.backoffElapsed(at: at(3)) == .none)
    }

    @Test func shutdownWhileStartingStopsTheChildToo() {
        var state = ProcessSupervisorState()
        _ = state.start(at: at(0))
        #expect(state.shutdown() == .terminate)
        #expect(state.childAnswered(launch: 1, at: at(1)) == .none)
        #expect(!state.isReady)
        #expect(state.childExited(launch: 1, at: at(2)) == .finish)
    }

    @Test func shutdownDuringBackoffOrBeforeTheStartFinishesAtOnce() {
        var backingOff = ProcessSupervisorState()
        _ = backingOff.start(at: at(0))
        _ = backingOff.childExited(launch: 1, at: at(1))
        #expect(backingOff.shutdown() == .finish)
        #expect(backingOff.backoffElapsed(at: at(2)) == .none)
        #expect(backingOff.phase == .stopped)

        var idle = ProcessSupervisorState()
        #expect(idle.shutdown() == .finish)
        #expect(idle.start(at: at(0)) == .none)
    }

    @Test func retryAfterCoversTheRestOfTheBackoffAndAtLeastASecond() {
        var state = ProcessSupervisorState(initialBackoff: .seconds(8))
        #expect(state.retryAfter(at: at(0)) == .seconds(1))
        _ = state.start(at: at(0))
        #expect(state.retryAfter(at: at(0)) == .seconds(1))
        _ = state.childExited(launch: 1, at: at(1))
        #expect(state.retryAfter(at: at(3)) == .seconds(6))
        #expect(state.retryAfter(at: at(8.5)) == .seconds(1))
    }
}
