import Gateway
import Routing
import SwitchyardCore
import Testing

@Suite struct DirectoryStateTests {
    let start = ContinuousClock.now

    func worker(_ address: String, models: [String] = ["m"], queue: Int = 0, state: WorkerState = .ready) -> WorkerRecord {
        WorkerRecord(address: address, models: models, queueLength: queue, state: state)
    }

    func lease(
        _ directory: inout DirectoryState,
        _ model: String = "m",
        excluding excluded: Set<String> = [],
        at instant: ContinuousClock.Instant? = nil
    ) -> DirectoryState.Pick {
        var random = SeededRandomNumberGenerator(seed: 9)
        return directory.lease(RoutingRequest(model: model), excluding: excluded, using: &random, now: instant ?? start)
    }

    func address(_ pick: DirectoryState.Pick) -> String? {
        if case .worker(let address, _) = pick { return address }
        return nil
    }

    @Test func leasesCountInFlightUntilReleased() {
        var directory = DirectoryState()
        directory.apply(.snapshot(controllerID: "c1", workers: [worker("a"), worker("b")]), now: start)
        let first = lease(&directory)
        let second = lease(&directory)
        // One request in flight on the first pick makes the other worker the shorter queue.
        #expect(first != second)
        #expect(directory.inFlight.values.reduce(0, +) == 2)
        directory.release(address(first)!)
        directory.release(address(second)!)
        #expect(directory.inFlight.isEmpty)
    }

    @Test func unknownModelDiffersFromNoCapacity() {
        var directory = DirectoryState()
        directory.apply(.snapshot(controllerID: "c1", workers: [worker("a", state: .draining)]), now: start)
        #expect(lease(&directory, "other") == .unknownModel)
        #expect(lease(&directory) == .unavailable)
        directory.apply(.upsert(worker("a")), now: start)
        #expect(lease(&directory) == .worker(address: "a", servedModel: "m"))
    }

    @Test func upsertsAndRemovalsUpdateTheModelIndex() {
        var directory = DirectoryState()
        directory.apply(.snapshot(controllerID: "c1", workers: []), now: start)
        directory.apply(.upsert(worker("a", models: ["x", "y"])), now: start)
        directory.apply(.upsert(worker("b", models: ["y"])), now: start)
        #expect(directory.modelNames == ["x", "y"])
        directory.apply(.remove(address: "a"), now: start)
        #expect(directory.modelNames == ["y"])
        // Served before, so its workers are only away (503, retried by clients), not unknown (404).
        #expect(lease(&directory, "x") == .unavailable)
        #expect(lease(&directory, "never-served") == .unknownModel)
    }

    /// A worker that keeps registering made-up model names and leaving: the names it served are
    /// remembered up to a bound, then only those served now.
    @Test func rememberedModelNamesStayBounded() {
        var directory = DirectoryState()
        directory.apply(.snapshot(controllerID: "c1", workers: [worker("real")]), now: start)
        let batch = 1_000
        for round in 0..<(DirectoryState.seenModelCapacity / batch + 2) {
            let names = (0..<batch).map { "made-up-\(round)-\($0)" }
            directory.apply(.upsert(worker("rogue", models: names)), now: start)
            #expect(lease(&directory, names[0]) == .worker(address: "rogue", servedModel: names[0]))
            directory.apply(.remove(address: "rogue"), now: start)
        }
        // The last rounds are still remembered (503), the first forgotten (404); the served model stays known.
        #expect(lease(&directory, "made-up-0-0") == .unknownModel)
        #expect(lease(&directory, "made-up-\(DirectoryState.seenModelCapacity / batch + 1)-0") == .unavailable)
        #expect(lease(&directory) == .worker(address: "real", servedModel: "m"))
    }

    @Test func reconnectToTheSameControllerTakesItsSnapshotAsTruth() {
        var directory = DirectoryState()
        directory.apply(.snapshot(controllerID: "c1", workers: [worker("a"), worker("b")]), now: start)
        directory.apply(.snapshot(controllerID: "c1", workers: [worker("b")]), now: start + .seconds(1))
        #expect(directory.workers.keys.sorted() == ["b"])
    }

    @Test func restartedControllerDoesNotBlankTheMirror() {
        var directory = DirectoryState(routing: RoutingConfiguration(restartRetention: .seconds(5)))
        directory.apply(.snapshot(controllerID: "c1", workers: [worker("a"), worker("b")]), now: start)
        directory.apply(.snapshot(controllerID: "c2", workers: [worker("b")]), now: start + .seconds(1))
        #expect(directory.workers.keys.sorted() == ["a", "b"])
        #expect(directory.retainedUntil.keys.sorted() == ["a"])
        // A's re-registration makes it a normal worker again.
        directory.apply(.upsert(worker("a")), now: start + .seconds(2))
        #expect(directory.retainedUntil.isEmpty)
    }

    @Test func retainedWorkersThatNeverReturnAreDropped() {
        var directory = DirectoryState(routing: RoutingConfiguration(restartRetention: .seconds(5)))
        directory.apply(.snapshot(controllerID: "c1", workers: [worker("a")]), now: start)
        directory.apply(.snapshot(controllerID: "c2", workers: []), now: start + .seconds(1))
        #expect(address(lease(&directory, at: start + .seconds(2))) == "a")
        #expect(lease(&directory, at: start + .seconds(7)) == .unavailable)
        #expect(directory.workers.isEmpty)
    }

    @Test func releasingAnUnknownWorkerIsHarmless() {
        var directory = DirectoryState()
        directory.release("nobody")
        #expect(directory.inFlight.isEmpty)
    }

    @Test func fullWorkersAreSkippedAndAllFullIsSaturated() {
        var directory = DirectoryState()
        var limited = worker("a")
        limited.limitConcurrency = 1
        directory.apply(.snapshot(controllerID: "c1", workers: [limited]), now: start)
        #expect(address(lease(&directory)) == "a")
        #expect(lease(&directory) == .saturated)
        directory.release("a")
        #expect(address(lease(&directory)) == "a")
    }

    @Test func triedWorkersAreAvoidedWhileOthersRemain() {
        var directory = DirectoryState()
        directory.apply(.snapshot(controllerID: "c1", workers: [worker("a"), worker("b")]), now: start)
        for _ in 0..<10 {
            let pick = lease(&directory, excluding: ["a"])
            #expect(address(pick) == "b")
            directory.release("b")
        }
        // With every worker tried, a retry may go back to one of them.
        #expect(address(lease(&directory, excluding: ["a", "b"])) != nil)
    }

    @Test func openBreakerTakesAWorkerOutOfRotation() {
        var directory = DirectoryState(routing: RoutingConfiguration(circuitBreaker: .init(coolDown: .seconds(2))))
        directory.apply(.snapshot(controllerID: "c1", workers: [worker("a"), worker("b")]), now: start)
        #expect(directory.record(success: false, for: "a", hard: true, now: start) == .opened)
        for _ in 0..<10 {
            #expect(address(lease(&directory)) == "b")
            directory.release("b")
        }
        // After the cool-down one trial goes through; while it runs the worker gets nothing else.
        let later = start + .seconds(3)
        let trials = [address(lease(&directory, at: later)), address(lease(&directory, at: later))]
        #expect(Set(trials.compactMap { $0 }) == ["a", "b"])
        #expect(directory.record(success: true, for: "a", now: later) == .closed)
        #expect(directory.breakers["a"]?.state == .closed)
    }

    @Test func whenEveryBreakerIsOpenAllReadyWorkersAreTried() {
        var directory = DirectoryState()
        directory.apply(.snapshot(controllerID: "c1", workers: [worker("a"), worker("b"), worker("c", state: .draining)]), now: start)
        directory.record(success: false, for: "a", hard: true, now: start)
        directory.record(success: false, for: "b", hard: true, now: start)
        var seen = Set<String>()
        for _ in 0..<20 {
            let picked = address(lease(&directory, excluding: seen))
            #expect(picked != nil && picked != "c")
            seen.insert(picked ?? "")
        }
        #expect(seen == ["a", "b"])
    }

    @Test func aliasesRouteToServedModelsAndAreListed() {
        var directory = DirectoryState(routing: RoutingConfiguration(aliases: ["gpt-4o-mini": ["smollm2"], "dangling": ["none"]]))
        directory.apply(.snapshot(controllerID: "c1", workers: [worker("a", models: ["smollm2"])]), now: start)
        #expect(lease(&directory, "gpt-4o-mini") == .worker(address: "a", servedModel: "smollm2"))
        #expect(directory.modelNames == ["gpt-4o-mini", "smollm2"])
        #expect(lease(&directory, "dangling") == .unknownModel)
    }

    @Test func drainingWorkersGetNothing() {
        var directory = DirectoryState()
        directory.apply(.snapshot(controllerID: "c1", workers: [worker("a"), worker("b", state: .draining)]), now: start)
        for _ in 0..<10 {
            #expect(address(lease(&directory)) == "a")
            directory.release("a")
        }
    }
}
