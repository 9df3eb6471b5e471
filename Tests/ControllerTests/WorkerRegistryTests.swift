import Controller
import Routing
import SwitchyardCore
import Testing

@Suite struct WorkerRegistryTests {
    let start = ContinuousClock.now

    func status(_ models: [String], queue: Int = 0, state: WorkerState? = nil) -> WorkerStatus {
        WorkerStatus(modelNames: models, queueLength: queue, api: "openai", limitConcurrency: 4, state: state)
    }

    @Test func registrationKeepsOrderAndReregistrationKeepsPlace() {
        var registry = WorkerRegistry()
        registry.register(address: "http://a", status: status(["m"]), now: start)
        registry.register(address: "http://b", status: status(["m"]), now: start)
        registry.register(address: "http://a", status: status(["m", "n"]), now: start + .seconds(1))
        let records = registry.records(now: start + .seconds(2))
        #expect(records.map(\.address) == ["http://a", "http://b"])
        #expect(records[0].models == ["m", "n"])
        #expect(records[0].lastHeartbeatAgeSeconds == 1)
        #expect(records[0].limitConcurrency == 4)
        #expect(records[0].api == "openai")
    }

    @Test func heartbeatsReportUnknownChangedOrRefreshed() {
        var registry = WorkerRegistry()
        #expect(registry.heartbeat(address: "http://a", queueLength: 0, now: start) == .unknown)
        registry.register(address: "http://a", status: status(["m"]), now: start)
        #expect(registry.heartbeat(address: "http://a", queueLength: 0, now: start + .seconds(1)) == .refreshed)
        guard case .changed(let record) = registry.heartbeat(address: "http://a", queueLength: 3, now: start + .seconds(2)) else {
            Issue.record("queue change must be published")
            return
        }
        #expect(record.queueLength == 3)
        guard case .changed(let drained) = registry.heartbeat(address: "http://a", queueLength: 3, state: .draining, now: start + .seconds(3)) else {
            Issue.record("state change must be published")
            return
        }
        #expect(drained.state == .draining)
    }

    @Test func aBrokenBeatStreamRemovesOnlyTheWorkersStillBeatingOverIt() {
        var registry = WorkerRegistry()
        for address in ["http://a", "http://b", "http://c", "http://d"] {
            registry.register(address: address, status: status(["m"]), now: start)
        }
        _ = registry.heartbeat(address: "http://a", queueLength: 0, stream: 7, now: start)
        _ = registry.heartbeat(address: "http://b", queueLength: 0, stream: 7, now: start)
        // b reconnected: its beats now come over stream 8; c beats with POSTs.
        _ = registry.heartbeat(address: "http://b", queueLength: 0, stream: 8, now: start + .seconds(1))
        _ = registry.heartbeat(address: "http://c", queueLength: 0, now: start)
        let gone = registry.removeBeatenOver(7, addresses: ["http://a", "http://b", "http://c", "http://unknown"])
        #expect(gone == ["http://a"])
        #expect(registry.records(now: start).map(\.address) == ["http://b", "http://c", "http://d"])
        #expect(registry.removeBeatenOver(8, addresses: ["http://b"]) == ["http://b"])
    }

    @Test func expiryRemovesOnlySilentCheckedWorkers() {
        var registry = WorkerRegistry()
        registry.register(address: "http://beating", status: status(["m"]), now: start)
        registry.register(address: "http://silent", status: status(["m"]), now: start)
        registry.register(address: "http://unchecked", status: status(["m"]), checkHeartBeat: false, now: start)
        _ = registry.heartbeat(address: "http://beating", queueLength: 0, now: start + .seconds(8))
        #expect(registry.removeExpired(now: start + .seconds(10), expiry: .seconds(10)).isEmpty)
        #expect(registry.removeExpired(now: start + .seconds(11), expiry: .seconds(10)) == ["http://silent"])
        #expect(registry.removeExpired(now: start + .seconds(100), expiry: .seconds(10)) == ["http://beating"])
        #expect(registry.records(now: start).map(\.address) == ["http://unchecked"])
    }

    @Test func modelListsFilterByModality() {
        var registry = WorkerRegistry()
        registry.register(address: "http://a", status: status(["llama", "qwen"]), now: start)
        registry.register(address: "http://b", status: status(["llava"]), multimodal: true, now: start)
        registry.register(address: "http://c", status: status(["qwen"]), now: start)
        #expect(registry.modelNames() == ["llama", "llava", "qwen"])
        #expect(registry.modelNames(multimodal: false) == ["llama", "qwen"])
        #expect(registry.modelNames(multimodal: true) == ["llava"])
    }

    @Test func aggregateStatusSumsWorkers() {
        var registry = WorkerRegistry()
        registry.register(address: "http://a", status: status(["b-model"], queue: 2), now: start)
        registry.register(address: "http://b", status: status(["a-model"], queue: 3), now: start)
        let aggregate = registry.aggregateStatus
        #expect(aggregate.modelNames == ["a-model", "b-model"])
        #expect(aggregate.queueLength == 5)
        #expect(aggregate.speed == 2)
    }

    @Test func pickingSpreadsBackToBackCallsAndSkipsDrainingWorkers() {
        var registry = WorkerRegistry()
        var policy = ShortestQueuePolicy()
        var random = SeededRandomNumberGenerator(seed: 3)
        registry.register(address: "http://a", status: status(["m"]), now: start)
        registry.register(address: "http://b", status: status(["m"]), now: start)
        registry.register(address: "http://c", status: status(["m"], state: .draining), now: start)
        let first = registry.pickWorker(for: "m", policy: &policy, using: &random)
        let second = registry.pickWorker(for: "m", policy: &policy, using: &random)
        #expect(Set([first, second]) == ["http://a", "http://b"])
        #expect(registry.pickWorker(for: "unknown", policy: &policy, using: &random) == nil)
    }

    /// A heartbeat the worker sent before it heard of the operator's drain must not undo it.
    @Test func aBeatSentBeforeADrainDoesNotUndoIt() {
        var registry = WorkerRegistry()
        registry.register(address: "http://a", status: status(["m"], state: .ready), now: start)
        #expect(registry.setState(.draining, of: "http://a", now: start + .seconds(1))?.state == .draining)
        #expect(registry.heartbeat(address: "http://a", queueLength: 0, state: .ready, now: start + .seconds(1.1)) == .refreshed)
        #expect(registry.records(now: start + .seconds(2)).first?.state == .draining)
        // The worker confirms; from then on its word counts at once.
        _ = registry.heartbeat(address: "http://a", queueLength: 0, state: .draining, now: start + .seconds(2))
        _ = registry.heartbeat(address: "http://a", queueLength: 0, state: .ready, now: start + .seconds(3))
        #expect(registry.records(now: start + .seconds(3)).first?.state == .ready)
    }

    @Test func aWorkerThatNeverConfirmsIsBelievedAfterTheGrace() {
        var registry = WorkerRegistry()
        registry.register(address: "http://a", status: status(["m"], state: .ready), now: start)
        _ = registry.setState(.draining, of: "http://a", now: start)
        _ = registry.heartbeat(address: "http://a", queueLength: 0, state: .ready, now: start + WorkerRegistry.operatorStateGrace)
        #expect(registry.records(now: start + .seconds(6)).first?.state == .ready)
    }
}
