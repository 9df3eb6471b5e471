import Gateway
import Routing
import SwitchyardCore
import Testing

@Suite struct DirectoryStateTests {
    let start = ContinuousClock.now

    func worker(_ address: String, models: [String] = ["m"], queue: Int = 0, state: WorkerState = .ready) -> WorkerRecord {
        WorkerRecord(address: address, models: models, queueLength: queue, state: state)
    }

    func lease(_ directory: inout DirectoryState, _ model: String = "m", at instant: ContinuousClock.Instant? = nil) -> DirectoryState.Pick {
        var policy = ShortestQueuePolicy()
        var random = SeededRandomNumberGenerator(seed: 9)
        return directory.lease(model: model, policy: &policy, using: &random, now: instant ?? start)
    }

    @Test func leasesCountInFlightUntilReleased() {
        var directory = DirectoryState()
        directory.apply(.snapshot(controllerID: "c1", workers: [worker("a"), worker("b")]), now: start)
        let first = lease(&directory)
        let second = lease(&directory)
        // One request in flight on the first pick makes the other worker the shorter queue.
        #expect(first != second)
        #expect(directory.inFlight.values.reduce(0, +) == 2)
        if case .worker(let address) = first { directory.release(address) }
        if case .worker(let address) = second { directory.release(address) }
        #expect(directory.inFlight.isEmpty)
    }

    @Test func unknownModelDiffersFromNoCapacity() {
        var directory = DirectoryState()
        directory.apply(.snapshot(controllerID: "c1", workers: [worker("a", state: .draining)]), now: start)
        #expect(lease(&directory, "other") == .unknownModel)
        #expect(lease(&directory) == .unavailable)
        directory.apply(.upsert(worker("a")), now: start)
        #expect(lease(&directory) == .worker("a"))
    }

    @Test func upsertsAndRemovalsUpdateTheModelIndex() {
        var directory = DirectoryState()
        directory.apply(.snapshot(controllerID: "c1", workers: []), now: start)
        directory.apply(.upsert(worker("a", models: ["x", "y"])), now: start)
        directory.apply(.upsert(worker("b", models: ["y"])), now: start)
        #expect(directory.modelNames == ["x", "y"])
        directory.apply(.remove(address: "a"), now: start)
        #expect(directory.modelNames == ["y"])
        #expect(lease(&directory, "x") == .unknownModel)
    }

    @Test func reconnectToTheSameControllerTakesItsSnapshotAsTruth() {
        var directory = DirectoryState()
        directory.apply(.snapshot(controllerID: "c1", workers: [worker("a"), worker("b")]), now: start)
        directory.apply(.snapshot(controllerID: "c1", workers: [worker("b")]), now: start + .seconds(1))
        #expect(directory.workers.keys.sorted() == ["b"])
    }

    @Test func restartedControllerDoesNotBlankTheMirror() {
        var directory = DirectoryState(restartRetention: .seconds(5))
        directory.apply(.snapshot(controllerID: "c1", workers: [worker("a"), worker("b")]), now: start)
        directory.apply(.snapshot(controllerID: "c2", workers: [worker("b")]), now: start + .seconds(1))
        #expect(directory.workers.keys.sorted() == ["a", "b"])
        #expect(directory.retainedUntil.keys.sorted() == ["a"])
        // A's re-registration makes it a normal worker again.
        directory.apply(.upsert(worker("a")), now: start + .seconds(2))
        #expect(directory.retainedUntil.isEmpty)
    }

    @Test func retainedWorkersThatNeverReturnAreDropped() {
        var directory = DirectoryState(restartRetention: .seconds(5))
        directory.apply(.snapshot(controllerID: "c1", workers: [worker("a")]), now: start)
        directory.apply(.snapshot(controllerID: "c2", workers: []), now: start + .seconds(1))
        #expect(lease(&directory, at: start + .seconds(2)) == .worker("a"))
        #expect(lease(&directory, at: start + .seconds(7)) == .unknownModel)
        #expect(directory.workers.isEmpty)
    }

    @Test func releasingAnUnknownWorkerIsHarmless() {
        var directory = DirectoryState()
        directory.release("nobody")
        #expect(directory.inFlight.isEmpty)
    }
}
