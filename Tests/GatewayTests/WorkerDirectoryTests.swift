import Gateway
import Routing
import SwitchyardCore
import Testing

@Suite struct WorkerDirectoryQueueTests {
    func directory(capacity: Int = 4, maxWait: Duration = .seconds(60)) -> WorkerDirectory {
        let directory = WorkerDirectory(queue: QueueConfiguration(capacity: capacity, maxWait: maxWait, retryAfter: .seconds(2)))
        var record = WorkerRecord(address: "a", models: ["m"])
        record.limitConcurrency = 1
        directory.apply(.snapshot(controllerID: "c", workers: [record]))
        return directory
    }

    /// Polls with a sleep, not `Task.yield()`: a yielding loop kept a loaded two-core machine's
    /// pool busy enough that the waiter it watched for never ran, and the test never ended.
    func waitUntil(_ directory: WorkerDirectory, hasWaiting count: Int) async {
        let deadline = ContinuousClock.now + .seconds(30)
        while directory.waiting != count {
            guard ContinuousClock.now < deadline else {
                Issue.record("never \(count) waiting (\(directory.waiting) are)")
                return
            }
            try? await Task.sleep(for: .milliseconds(1))
        }
    }

    @Test func waiterGetsTheWorkerWhenItFrees() async throws {
        let directory = directory()
        let first = try await directory.lease(RoutingRequest(model: "m"))
        let second = Task { try await directory.lease(RoutingRequest(model: "m")) }
        await waitUntil(directory, hasWaiting: 1)
        first.release()
        let lease = try await second.value
        #expect(lease.address == "a")
        #expect(directory.waiting == 0)
    }

    @Test func fullQueueAnswers429WithRetryAfter() async throws {
        let directory = directory(capacity: 1)
        let held = try await directory.lease(RoutingRequest(model: "m"))
        let waiter = Task { try await directory.lease(RoutingRequest(model: "m")) }
        await waitUntil(directory, hasWaiting: 1)
        await #expect(throws: OpenAIError.queueFull("m", retryAfter: .seconds(2))) {
            _ = try await directory.lease(RoutingRequest(model: "m"))
        }
        held.release()
        _ = try await waiter.value
    }

    @Test func waitingTooLongAnswers503() async throws {
        let directory = directory(maxWait: .milliseconds(50))
        let held = try await directory.lease(RoutingRequest(model: "m"))
        await #expect(throws: OpenAIError.queueTimedOut("m", retryAfter: .seconds(2))) {
            _ = try await directory.lease(RoutingRequest(model: "m"))
        }
        #expect(directory.waiting == 0)
        held.release()
    }

    @Test func cancelledWaiterLeavesTheQueue() async throws {
        let directory = directory()
        let held = try await directory.lease(RoutingRequest(model: "m"))
        let waiter = Task { try await directory.lease(RoutingRequest(model: "m")) }
        await waitUntil(directory, hasWaiting: 1)
        waiter.cancel()
        await #expect(throws: CancellationError.self) { _ = try await waiter.value }
        #expect(directory.waiting == 0)
        held.release()
    }

    @Test func newWorkerWakesWaiters() async throws {
        let directory = directory()
        let held = try await directory.lease(RoutingRequest(model: "m"))
        let waiter = Task { try await directory.lease(RoutingRequest(model: "m")) }
        await waitUntil(directory, hasWaiting: 1)
        directory.apply(.upsert(WorkerRecord(address: "b", models: ["m"])))
        #expect(try await waiter.value.address == "b")
        held.release()
    }

    @Test func unknownAndUnavailableModelsFailAtOnce() async throws {
        let directory = directory()
        await #expect(throws: OpenAIError.modelNotFound("x")) {
            _ = try await directory.lease(RoutingRequest(model: "x"))
        }
        directory.apply(.upsert(WorkerRecord(address: "a", models: ["m"], state: .draining)))
        await #expect(throws: OpenAIError.noCapacity("m", retryAfter: .seconds(2))) {
            _ = try await directory.lease(RoutingRequest(model: "m"))
        }
    }

    @Test func newRequestsQueueBehindWaitersInsteadOfOvertakingThem() async throws {
        let directory = directory()
        let held = try await directory.lease(RoutingRequest(model: "m"))
        let waiter = Task { try await directory.lease(RoutingRequest(model: "m")) }
        await waitUntil(directory, hasWaiting: 1)
        await #expect(throws: WorkerDirectory.MustWait.self) {
            _ = try await directory.lease(RoutingRequest(model: "m"), wait: false)
        }
        held.release()
        #expect(try await waiter.value.address == "a")
    }

    @Test func aCancelledWaiterPassesItsWakeUpOn() async throws {
        let directory = directory()
        let held = try await directory.lease(RoutingRequest(model: "m"))
        let first = Task { try await directory.lease(RoutingRequest(model: "m")) }
        await waitUntil(directory, hasWaiting: 1)
        let second = Task { try await directory.lease(RoutingRequest(model: "m")) }
        await waitUntil(directory, hasWaiting: 2)
        first.cancel()
        await #expect(throws: CancellationError.self) { _ = try await first.value }
        held.release()
        #expect(try await second.value.address == "a")
    }
}
