import Bench
import Testing

struct HeartbeatLoadConfigurationTests {
    @Test func beatsAreSpreadEvenlyOverTheInterval() {
        let configuration = HeartbeatLoadConfiguration(controllerURL: "http://c", workers: 4, interval: .seconds(1))
        #expect((0..<4).map { configuration.due(worker: $0, round: 0) } == [.zero, .milliseconds(250), .milliseconds(500), .milliseconds(750)])
        #expect(configuration.due(worker: 1, round: 2) == .milliseconds(2250))
    }

    @Test func fakeWorkersHaveDistinctAddresses() {
        let configuration = HeartbeatLoadConfiguration(controllerURL: "http://c", workers: 1000)
        #expect(Set((0..<1000).map(configuration.address(of:))).count == 1000)
    }
}
