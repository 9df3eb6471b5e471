import Gateway
import Testing

@Suite struct CircuitBreakerTests {
    let start = ContinuousClock.now
    let configuration = CircuitBreaker.Configuration(consecutiveFailures: 3, failureRate: 0.5, window: 10, minimumSamples: 6, coolDown: .seconds(2))

    @Test func opensAfterConsecutiveFailuresAndAdmitsNothingUntilCoolDown() {
        var breaker = CircuitBreaker(configuration: configuration)
        #expect(breaker.recordFailure(now: start) == nil)
        #expect(breaker.recordFailure(now: start) == nil)
        #expect(breaker.recordFailure(now: start) == .opened)
        #expect(!breaker.admits(now: start + .seconds(1)))
        #expect(breaker.admits(now: start + .seconds(2)))
    }

    @Test func successResetsTheConsecutiveCount() {
        var breaker = CircuitBreaker(configuration: configuration)
        _ = breaker.recordFailure(now: start)
        _ = breaker.recordFailure(now: start)
        _ = breaker.recordSuccess(now: start)
        #expect(breaker.recordFailure(now: start) == nil)
        #expect(breaker.state == .closed)
    }

    @Test func opensOnFailureRate() {
        var breaker = CircuitBreaker(configuration: configuration)
        var transitions: [CircuitBreaker.Transition?] = []
        for _ in 0..<3 {
            transitions.append(breaker.recordSuccess(now: start))
            transitions.append(breaker.recordFailure(now: start))
        }
        // Alternating outcomes never make three in a row, but reach half of six samples.
        #expect(transitions.last == .opened)
        #expect(transitions.dropLast().allSatisfy { $0 == nil })
    }

    @Test func hardFailureOpensAtOnce() {
        var breaker = CircuitBreaker(configuration: configuration)
        #expect(breaker.recordFailure(now: start, hard: true) == .opened)
    }

    @Test func halfOpenAllowsOneTrialThenClosesOnSuccess() {
        var breaker = CircuitBreaker(configuration: configuration)
        _ = breaker.recordFailure(now: start, hard: true)
        let later = start + .seconds(3)
        #expect(breaker.dispatched(now: later) == .halfOpened)
        #expect(!breaker.admits(now: later))
        #expect(breaker.recordSuccess(now: later) == .closed)
        #expect(breaker.admits(now: later))
    }

    @Test func failedTrialReopens() {
        var breaker = CircuitBreaker(configuration: configuration)
        _ = breaker.recordFailure(now: start, hard: true)
        let later = start + .seconds(3)
        _ = breaker.dispatched(now: later)
        #expect(breaker.recordFailure(now: later) == .opened)
        #expect(!breaker.admits(now: later + .seconds(1)))
        #expect(breaker.admits(now: later + .seconds(2)))
    }

    @Test func probeSuccessAfterCoolDownClosesAnOpenBreaker() {
        var breaker = CircuitBreaker(configuration: configuration)
        _ = breaker.recordFailure(now: start, hard: true)
        #expect(breaker.recordSuccess(now: start + .seconds(1)) == nil)
        #expect(!breaker.admits(now: start + .seconds(1)))
        #expect(breaker.recordSuccess(now: start + .seconds(2)) == .closed)
    }

    @Test func failuresWhileOpenPostponeTheTrial() {
        var breaker = CircuitBreaker(configuration: configuration)
        _ = breaker.recordFailure(now: start, hard: true)
        #expect(breaker.recordFailure(now: start + .seconds(1)) == nil)
        #expect(!breaker.admits(now: start + .seconds(2)))
        #expect(breaker.admits(now: start + .seconds(3)))
    }
}
