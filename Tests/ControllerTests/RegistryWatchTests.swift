import Controller
import SwitchyardCore
import Testing

/// The watch stream's bounded buffer: a watcher that stops reading is dropped, never buffered without limit.
@Suite struct RegistryWatchTests {
    func register(_ store: RegistryStore, _ address: String) {
        let status = WorkerStatus(modelNames: ["m"], queueLength: 0, api: "openai", limitConcurrency: 4)
        store.register(FastChat.RegisterWorker(workerName: address, workerStatus: status), status: status)
    }

    func drain(_ stream: AsyncStream<RegistryEvent>) async -> [RegistryEvent] {
        var events: [RegistryEvent] = []
        for await event in stream { events.append(event) }
        return events
    }

    @Test func aWatcherThatFallsBehindIsDroppedAfterWhatItHolds() async {
        let store = RegistryStore(watchBufferLimit: 4)
        let stalled = store.watch()
        // The snapshot takes one place; three changes fill the buffer; the fourth overflows it.
        for index in 0..<1000 { register(store, "http://w\(index)") }
        let received = await drain(stalled)
        #expect(received.count == 4)
        guard case .snapshot(_, let workers) = received.first else {
            Issue.record("the stream starts with a snapshot")
            return
        }
        #expect(workers.isEmpty)
        // Watching again starts from a snapshot holding every change the dropped watcher missed.
        var iterator = store.watch().makeAsyncIterator()
        guard case .snapshot(_, let fresh) = await iterator.next() else {
            Issue.record("a new watch starts with a snapshot")
            return
        }
        #expect(fresh.count == 1000)
    }

    @Test func aWatcherThatKeepsUpGetsEveryChangeInOrder() async {
        let store = RegistryStore(watchBufferLimit: 2)
        var iterator = store.watch().makeAsyncIterator()
        _ = await iterator.next()
        for index in 0..<100 {
            register(store, "http://w\(index)")
            guard case .upsert(let record) = await iterator.next() else {
                Issue.record("change \(index) is missing")
                return
            }
            #expect(record.address == "http://w\(index)")
        }
    }

    @Test func droppingOneWatcherLeavesTheOthers() async {
        let store = RegistryStore(watchBufferLimit: 3)
        let stalled = store.watch()
        var live = store.watch().makeAsyncIterator()
        _ = await live.next()
        for index in 0..<10 {
            register(store, "http://w\(index)")
            _ = await live.next()
        }
        store.remove(address: "http://w0")
        guard case .remove(let address) = await live.next() else {
            Issue.record("the live watcher still gets changes")
            return
        }
        #expect(address == "http://w0")
        #expect(await drain(stalled).count == 3)
    }

    @Test func aLimitBelowOneStillKeepsTheSnapshot() async {
        let store = RegistryStore(watchBufferLimit: 0)
        #expect(store.watchBufferLimit == 1)
        var iterator = store.watch().makeAsyncIterator()
        guard case .snapshot = await iterator.next() else {
            Issue.record("the snapshot fits")
            return
        }
    }
}
