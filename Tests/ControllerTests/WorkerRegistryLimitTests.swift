import Controller
import Routing
import SwitchyardCore
import Testing

/// Issue 12 item 4: numbers and sizes a registration or heartbeat brings are clamped or bounded.
@Suite struct WorkerRegistryLimitTests {
    let start = ContinuousClock.now

    @Test func intMaxQueueThenPickingSaturatesInsteadOfTrapping() {
        var registry = WorkerRegistry()
        var policy = ShortestQueuePolicy()
        var random = SeededRandomNumberGenerator(seed: 1)
        registry.register(address: "http://a", status: WorkerStatus(modelNames: ["m"], queueLength: .max), now: start)
        #expect(registry.records(now: start).first?.queueLength == WorkerStatus.maxQueueLength)
        for _ in 0..<3 {
            #expect(registry.pickWorker(for: "m", policy: &policy, using: &random) == "http://a")
        }
        #expect(registry.records(now: start).first?.queueLength == WorkerStatus.maxQueueLength)
        // A heartbeat's queue is clamped the same way, at both ends.
        _ = registry.heartbeat(address: "http://a", queueLength: .max, now: start)
        #expect(registry.pickWorker(for: "m", policy: &policy, using: &random) == "http://a")
        #expect(registry.records(now: start).first?.queueLength == WorkerStatus.maxQueueLength)
        _ = registry.heartbeat(address: "http://a", queueLength: .min, activity: WorkerActivity(running: .min, requestsLastMinute: .max), now: start)
        let record = registry.records(now: start).first
        #expect(record?.queueLength == 0)
        #expect(record?.activity == WorkerActivity(running: 0, requestsLastMinute: WorkerActivity.maxCount))
    }

    @Test func hugeSpeedsTwiceKeepTheAggregateFinite() {
        var registry = WorkerRegistry()
        registry.register(address: "http://a", status: WorkerStatus(modelNames: ["m"], speed: 1.5e308, queueLength: .max), now: start)
        registry.register(address: "http://b", status: WorkerStatus(modelNames: ["m"], speed: 1.5e308, queueLength: .max), now: start)
        registry.register(address: "http://c", status: WorkerStatus(modelNames: ["m"], speed: .nan), now: start)
        registry.register(address: "http://d", status: WorkerStatus(modelNames: ["m"], speed: .infinity), now: start)
        let aggregate = registry.aggregateStatus
        #expect(aggregate.speed.isFinite)
        #expect(aggregate.speed == 3 * WorkerStatus.maxSpeed)
        #expect(aggregate.queueLength == 2 * WorkerStatus.maxQueueLength)
        // Every policy can still pick among them.
        for method in DispatchMethod.allCases {
            var policy = method.makePolicy()
            var random = SeededRandomNumberGenerator(seed: 2)
            #expect(registry.pickWorker(for: "m", policy: &policy, using: &random) != nil, "\(method)")
        }
    }

    @Test func theRegistryRefusesWorkersBeyondItsCapacity() {
        var registry = WorkerRegistry(capacity: 2)
        #expect(registry.register(address: "http://a", status: WorkerStatus(modelNames: ["m"]), now: start) != nil)
        #expect(registry.register(address: "http://b", status: WorkerStatus(modelNames: ["m"]), now: start) != nil)
        #expect(registry.register(address: "http://c", status: WorkerStatus(modelNames: ["m"]), now: start) == nil)
        #expect(registry.count == 2)
        // A known worker may still re-register, and a departure makes room.
        #expect(registry.register(address: "http://a", status: WorkerStatus(modelNames: ["m", "n"]), now: start) != nil)
        registry.remove(address: "http://b")
        #expect(registry.register(address: "http://c", status: WorkerStatus(modelNames: ["m"]), now: start) != nil)
        #expect(registry.records(now: start).map(\.address) == ["http://a", "http://c"])
    }

    @Test func aFullStoreRefusesWithA503AndPublishesNothing() async {
        let store = RegistryStore(capacity: 1)
        let status = WorkerStatus(modelNames: ["m"])
        #expect(store.register(FastChat.RegisterWorker(workerName: "http://a", workerStatus: status), status: status))
        let events = store.watch()
        #expect(!store.register(FastChat.RegisterWorker(workerName: "http://b", workerStatus: status), status: status))
        #expect(store.registryFull.status == .serviceUnavailable)
        #expect(store.registryFull.code == "registry_full")
        #expect(store.records().map(\.address) == ["http://a"])
        // The watcher saw the snapshot and then nothing about b.
        store.remove(address: "http://a")
        var iterator = events.makeAsyncIterator()
        guard case .snapshot = await iterator.next() else {
            Issue.record("a snapshot comes first")
            return
        }
        #expect(await iterator.next() == .remove(address: "http://a"))
    }

    @Test func modelNamesAreBoundedAcrossWorkers() {
        var registry = WorkerRegistry(modelNameCapacity: 4)
        #expect(registry.register(address: "http://a", status: WorkerStatus(modelNames: ["a", "b", "c"]), now: start) != nil)
        #expect(registry.register(address: "http://b", status: WorkerStatus(modelNames: ["d", "e"]), now: start) == nil)
        #expect(registry.register(address: "http://b", status: WorkerStatus(modelNames: ["d"]), now: start) != nil)
        #expect(registry.modelNameCount == 4)
        // Re-registering counts the names it replaces.
        #expect(registry.register(address: "http://a", status: WorkerStatus(modelNames: ["x", "y", "z"]), now: start) != nil)
        #expect(registry.register(address: "http://a", status: WorkerStatus(modelNames: ["x", "y", "z", "w"]), now: start) == nil)
        // Expiry and removal give the room back.
        registry.register(address: "http://a", status: WorkerStatus(modelNames: ["x"]), now: start)
        #expect(registry.modelNameCount == 2)
        _ = registry.removeExpired(now: start + .seconds(60), expiry: .seconds(10))
        #expect(registry.modelNameCount == 0)
        #expect(registry.isEmpty)
    }
}
