import Foundation
import Gateway
import Testing

@Suite struct GatewayStatsTests {
    let start = ContinuousClock.now
    let wallClock = Date(timeIntervalSince1970: 1_800_000_000)

    func outcome(_ model: String = "m", status: Int = 200, milliseconds: Int = 100, message: String? = nil, id: String = "") -> GatewayStats.Outcome {
        .init(model: model, endpoint: "chat/completions", status: status, latency: .milliseconds(milliseconds), requestID: id, worker: "w1", message: message)
    }

    @Test func countsRequestsErrorsAndMeanLatencyOverTheWindow() {
        var stats = GatewayStats(origin: start)
        stats.record(outcome(milliseconds: 100), at: start + .seconds(60), time: wallClock)
        stats.record(outcome(milliseconds: 300), at: start + .seconds(61), time: wallClock)
        stats.record(outcome(status: 502, milliseconds: 200), at: start + .seconds(62), time: wallClock)
        let summary = stats.summary(at: start + .milliseconds(62_500))["m"]
        #expect(summary?.requests == 3)
        #expect(summary?.errors == 1)
        #expect(summary?.requestsPerSecond == 3.0 / 60)
        #expect(summary?.errorRate == 1.0 / 3)
        #expect(summary?.meanLatencyMilliseconds == 200)
    }

    @Test func forgetsSecondsOlderThanTheWindow() {
        var stats = GatewayStats(origin: start)
        stats.record(outcome(), at: start + .seconds(100), time: wallClock)
        stats.record(outcome(), at: start + .seconds(130), time: wallClock)
        #expect(stats.summary(at: start + .seconds(159))["m"]?.requests == 2)
        #expect(stats.summary(at: start + .seconds(160))["m"]?.requests == 1)
        #expect(stats.summary(at: start + .seconds(190))["m"] == nil)
    }

    @Test func reusesASlotAMinuteLater() {
        var stats = GatewayStats(origin: start)
        stats.record(outcome(status: 500), at: start + .seconds(70), time: wallClock)
        // Second 130 lands in second 70's slot: the old second must not be counted with it.
        stats.record(outcome(), at: start + .seconds(130), time: wallClock)
        let summary = stats.summary(at: start + .seconds(130))["m"]
        #expect(summary?.requests == 1)
        #expect(summary?.errors == 0)
    }

    @Test func ratesUseTheUptimeWhileItIsShorterThanTheWindow() {
        var stats = GatewayStats(origin: start)
        for _ in 0..<10 { stats.record(outcome(), at: start + .seconds(4), time: wallClock) }
        #expect(stats.summary(at: start + .seconds(5))["m"]?.requestsPerSecond == 2)
        // Less than a second up: per second, not per fraction of one.
        var early = GatewayStats(origin: start)
        early.record(outcome(), at: start + .milliseconds(100), time: wallClock)
        #expect(early.summary(at: start + .milliseconds(500))["m"]?.requestsPerSecond == 1)
    }

    @Test func percentilesAreWithinTheHistogramsResolution() throws {
        var stats = GatewayStats(origin: start)
        for milliseconds in 1...100 { stats.record(outcome(milliseconds: milliseconds * 10), at: start + .seconds(1), time: wallClock) }
        let summary = try #require(stats.summary(at: start + .seconds(2))["m"])
        let p50 = try #require(summary.p50LatencyMilliseconds)
        let p95 = try #require(summary.p95LatencyMilliseconds)
        #expect(abs(p50 - 500) / 500 < 0.1)
        #expect(abs(p95 - 950) / 950 < 0.1)
    }

    @Test func aPercentileStaysWithinTheLatenciesSeen() throws {
        var stats = GatewayStats(origin: start)
        // 860 ms falls in the bin (853, 1023] whose middle is 934; 1000 ms in the same bin.
        stats.record(outcome(milliseconds: 860), at: start + .seconds(1), time: wallClock)
        let one = try #require(stats.summary(at: start + .seconds(1))["m"])
        #expect(one.p50LatencyMilliseconds == 860)
        #expect(one.p95LatencyMilliseconds == 860)
        stats.record(outcome(milliseconds: 1000), at: start + .seconds(1), time: wallClock)
        stats.record(outcome(milliseconds: 1000), at: start + .seconds(1), time: wallClock)
        let three = try #require(stats.summary(at: start + .seconds(1))["m"])
        // Now the bin's middle lies between the fastest and the slowest, and stands.
        let p95 = try #require(three.p95LatencyMilliseconds)
        #expect(p95 > 930 && p95 < 935)
    }

    @Test func keepsModelsApart() {
        var stats = GatewayStats(origin: start)
        stats.record(outcome("a"), at: start + .seconds(1), time: wallClock)
        stats.record(outcome("b", status: 404), at: start + .seconds(1), time: wallClock)
        let summaries = stats.summary(at: start + .seconds(1))
        #expect(summaries["a"]?.errors == 0)
        #expect(summaries["b"]?.errors == 1)
    }

    @Test func countsModelsBeyondTheCapacityTogether() {
        var stats = GatewayStats(origin: start)
        for index in 0..<(GatewayStats.modelCapacity + 5) {
            stats.record(outcome("made-up-\(index)", status: 404), at: start + .seconds(1), time: wallClock)
        }
        let summaries = stats.summary(at: start + .seconds(1))
        #expect(summaries.count == GatewayStats.modelCapacity + 1)
        #expect(summaries[GatewayStats.otherModels]?.requests == 5)
        // Once those models fall out of the window, new ones are tracked by name again.
        stats.record(outcome("real"), at: start + .seconds(70), time: wallClock)
        #expect(stats.summary(at: start + .seconds(70)).keys.sorted() == ["real"])
    }

    @Test func keepsTheLatestErrorsNewestFirst() {
        var stats = GatewayStats(origin: start)
        stats.record(outcome(), at: start, time: wallClock)
        for index in 0..<(GatewayStats.errorCapacity + 3) {
            stats.record(
                outcome(status: 404, message: "no model \(index)", id: "req-\(index)"),
                at: start + .seconds(1),
                time: wallClock + Double(index)
            )
        }
        let errors = stats.recentErrors
        #expect(errors.count == GatewayStats.errorCapacity)
        #expect(errors.first?.requestID == "req-\(GatewayStats.errorCapacity + 2)")
        #expect(errors.last?.requestID == "req-3")
        #expect(errors.first?.message == "no model \(GatewayStats.errorCapacity + 2)")
        #expect(errors.first?.time == wallClock + Double(GatewayStats.errorCapacity + 2))
        #expect(errors.first?.worker == "w1")
        #expect(errors.first?.status == 404)
    }

    @Test func successesAreNotErrors() {
        var stats = GatewayStats(origin: start)
        stats.record(outcome(status: 200), at: start, time: wallClock)
        stats.record(outcome(status: 399), at: start, time: wallClock)
        #expect(stats.recentErrors.isEmpty)
    }

    /// 40 requests with 2 MiB names, ids and messages, then 10 000 distinct names: what the
    /// statistics hold stays a few hundred bytes a field and a bounded number of models.
    @Test func hugeAndManyNamesStayBounded() {
        var stats = GatewayStats(origin: start)
        let huge = String(repeating: "é", count: 1 << 20)
        for index in 0..<40 {
            stats.record(
                outcome("\(index)" + huge, status: 404, message: "The model '\(huge)' does not exist", id: huge),
                at: start + .seconds(1), time: wallClock
            )
        }
        let errors = stats.recentErrors
        #expect(errors.count == 40)
        let held = errors.reduce(0) { $0 + $1.model.utf8.count + $1.requestID.utf8.count + ($1.message?.utf8.count ?? 0) + $1.worker.utf8.count }
        #expect(held <= 40 * (3 * GatewayStats.textLimit + GatewayStats.messageLimit + 12))
        #expect(errors.first?.model.hasPrefix("39é") == true)
        #expect(errors.first?.message?.hasSuffix("éé…") == true)
        for index in 0..<10_000 {
            stats.record(outcome("made-up-\(index)", status: 404), at: start + .seconds(2), time: wallClock)
        }
        let summaries = stats.summary(at: start + .seconds(2))
        #expect(summaries.count <= GatewayStats.modelCapacity + 1)
        #expect(summaries.keys.allSatisfy { $0.utf8.count <= GatewayStats.textLimit + 3 })
        #expect(stats.recentErrors.count == GatewayStats.errorCapacity)
    }
}
