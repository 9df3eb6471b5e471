import Gateway
import Routing
import SwitchyardCore
import Testing

/// A gateway mirroring a controller drops workers at addresses it may not call and clamps the
/// numbers workers reported before its policies do arithmetic on them.
@Suite struct DirectoryScreeningTests {
    let start = ContinuousClock.now

    func screening(_ networks: String? = nil) throws -> DirectoryState {
        DirectoryState(routing: RoutingConfiguration(workerAddresses: WorkerAddressPolicy(networks: try networks.map(NetworkAllowList.init(parsing:)))))
    }

    @Test func workersAtRefusedAddressesAreDropped() throws {
        var directory = try screening("10.0.0.0/8")
        directory.apply(
            .snapshot(controllerID: "c", workers: [
                WorkerRecord(address: "http://10.0.0.1:8000", models: ["m"]),
                WorkerRecord(address: "http://169.254.169.254", models: ["m"]),
                WorkerRecord(address: "file:///etc/passwd", models: ["m"]),
                WorkerRecord(address: "http://10.0.0.2:8000", models: ["m"], controlAddress: "http://127.0.0.1:9"),
            ]),
            now: start
        )
        #expect(directory.workers.keys.sorted() == ["http://10.0.0.1:8000"])
        directory.apply(.upsert(WorkerRecord(address: "http://user@10.0.0.3", models: ["m"])), now: start)
        #expect(directory.workers.count == 1)
        // An allowed worker whose update moves its control address outside is dropped.
        directory.apply(.upsert(WorkerRecord(address: "http://10.0.0.1:8000", models: ["m"], controlAddress: "http://192.168.0.1")), now: start)
        #expect(directory.workers.isEmpty)
    }

    @Test func withoutNetworksOnlyTheFormIsChecked() throws {
        var directory = try screening()
        directory.apply(.upsert(WorkerRecord(address: "http://worker.internal:8000", models: ["m"])), now: start)
        directory.apply(.upsert(WorkerRecord(address: "gopher://worker.internal:70", models: ["m"])), now: start)
        #expect(directory.workers.keys.sorted() == ["http://worker.internal:8000"])
    }

    @Test func absurdReportedNumbersAreClampedBeforeRouting() throws {
        var directory = try screening()
        directory.apply(
            .snapshot(controllerID: "c", workers: [
                WorkerRecord(address: "http://a", models: ["m"], speed: 1.5e308, queueLength: .max),
                WorkerRecord(address: "http://b", models: ["m"], speed: .nan, queueLength: .min, limitConcurrency: .min),
            ]),
            now: start
        )
        #expect(directory.workers["http://a"]?.queueLength == WorkerStatus.maxQueueLength)
        #expect(directory.workers["http://a"]?.speed == WorkerStatus.maxSpeed)
        #expect(directory.workers["http://b"]?.limitConcurrency == 1)
        for method in DispatchMethod.allCases {
            var directory = DirectoryState(routing: RoutingConfiguration(policy: method, workerAddresses: WorkerAddressPolicy()))
            directory.apply(.upsert(WorkerRecord(address: "http://a", models: ["m"], speed: 1.5e308, queueLength: .max)), now: start)
            directory.apply(.upsert(WorkerRecord(address: "http://b", models: ["m"], speed: 1.5e308, queueLength: .max)), now: start)
            var random = SeededRandomNumberGenerator(seed: 4)
            let pick = directory.lease(RoutingRequest(model: "m", prompt: "hello"), using: &random, now: start)
            guard case .worker = pick else {
                Issue.record("\(method) picked nothing: \(pick)")
                continue
            }
        }
    }
}
