import Testing
import Worker

@Suite struct LimiterStateTests {
    @Test func admitsUpToTheLimitThenQueuesInOrder() {
        var limiter = LimiterState(limit: 2)
        let tickets = (0..<4).map { _ in limiter.issueTicket() }
        #expect(tickets.map { limiter.arrive($0) } == [.run, .run, .wait, .wait])
        #expect(limiter.queueLength == 4)
        #expect(limiter.release() == tickets[2])
        #expect(limiter.release() == tickets[3])
        #expect(limiter.release() == nil)
        #expect(limiter.release() == nil)
        #expect(limiter.queueLength == 0)
    }

    @Test func cancelledWaiterLeavesTheQueue() {
        var limiter = LimiterState(limit: 1)
        let tickets = (0..<3).map { _ in limiter.issueTicket() }
        for ticket in tickets { _ = limiter.arrive(ticket) }
        #expect(limiter.cancel(tickets[1]) == true)
        #expect(limiter.queueLength == 2)
        #expect(limiter.release() == tickets[2])
    }

    @Test func cancellationBeforeArrivalIsRemembered() {
        var limiter = LimiterState(limit: 1)
        let ticket = limiter.issueTicket()
        #expect(limiter.cancel(ticket) == false)
        #expect(limiter.arrive(ticket) == .cancelled)
        #expect(limiter.queueLength == 0)
    }

    @Test func cancellingARunningRequestChangesNothing() {
        var limiter = LimiterState(limit: 1)
        let ticket = limiter.issueTicket()
        #expect(limiter.arrive(ticket) == .run)
        #expect(limiter.cancel(ticket) == false)
        #expect(limiter.running == 1)
    }
}

@Suite struct ConcurrencyLimiterTests {
    /// Polls with a sleep, not `Task.yield()`, which can keep a loaded pool from running the
    /// waiter it watches for; gives up (failing) rather than hanging the suite.
    func waitUntil(_ limiter: ConcurrencyLimiter, hasQueued count: Int) async {
        let deadline = ContinuousClock.now + .seconds(30)
        while limiter.queueLength < count {
            guard ContinuousClock.now < deadline else {
                Issue.record("never \(count) queued (\(limiter.queueLength) are)")
                return
            }
            try? await Task.sleep(for: .milliseconds(1))
        }
    }

    @Test func waitersRunInArrivalOrder() async throws {
        let limiter = ConcurrencyLimiter(limit: 1)
        let first = try await limiter.acquire()
        let order = OrderLog()
        var waiters: [Task<Void, any Error>] = []
        for number in 1...3 {
            waiters.append(
                Task {
                    let slot = try await limiter.acquire()
                    await order.append(number)
                    slot()
                })
            // Let each waiter queue before the next starts, so arrival order is defined.
            await waitUntil(limiter, hasQueued: number + 1)
        }
        first()
        for waiter in waiters { try await waiter.value }
        #expect(await order.values == [1, 2, 3])
        #expect(limiter.queueLength == 0)
    }

    @Test func cancelledWaiterGivesUpItsPlace() async throws {
        let limiter = ConcurrencyLimiter(limit: 1)
        let held = try await limiter.acquire()
        let waiter = Task { try await limiter.acquire() }
        await waitUntil(limiter, hasQueued: 2)
        waiter.cancel()
        await #expect(throws: CancellationError.self) { _ = try await waiter.value }
        #expect(limiter.queueLength == 1)
        held()
        #expect(limiter.queueLength == 0)
    }

    @Test func droppedSlotIsReleased() async throws {
        let limiter = ConcurrencyLimiter(limit: 1)
        do {
            _ = try await limiter.acquire()
        }
        #expect(limiter.queueLength == 0)
    }
}

actor OrderLog {
    var values: [Int] = []
    func append(_ value: Int) { values.append(value) }
}
