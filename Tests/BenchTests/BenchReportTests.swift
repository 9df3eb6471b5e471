@testable import Bench
import Foundation
import SwitchyardCore
import Testing

@Suite struct BenchReportTests {
    @Test func percentilesUseNearestRank() {
        let samples = (1...100).map { Duration.milliseconds($0) }
        let distribution = BenchReport.Distribution(millisecondsOf: samples.shuffled())
        #expect(distribution.p50 == 50)
        #expect(distribution.p90 == 90)
        #expect(distribution.p99 == 99)
        #expect(distribution.mean == 50.5)
        #expect(BenchReport.Distribution(millisecondsOf: []).p99 == 0)
        #expect(BenchReport.Distribution(millisecondsOf: [.milliseconds(7)]).p50 == 7)
    }

    @Test func reportCountsSuccessesErrorsAndTokens() {
        let samples = [
            BenchSample(latency: .milliseconds(10), timeToFirstToken: .milliseconds(2), tokenGaps: [.milliseconds(1)], outputTokens: 5),
            BenchSample(latency: .milliseconds(30), timeToFirstToken: .milliseconds(4), tokenGaps: [.milliseconds(3)], outputTokens: 7),
            BenchSample(error: "503", latency: .milliseconds(1)),
            BenchSample(error: "transport", latency: .milliseconds(1)),
            BenchSample(error: "503", latency: .milliseconds(1)),
        ]
        let report = BenchReport(samples: samples, elapsed: .seconds(2), cpuSeconds: 0.5, streamed: true)
        #expect(report.requests == 5)
        #expect(report.succeeded == 2)
        #expect(report.errors == ["503": 2, "transport": 1])
        #expect(report.requestsPerSecond == 1)
        #expect(report.outputTokens == 12)
        #expect(report.outputTokensPerSecond == 6)
        // Failed requests do not flatter the latency.
        #expect(report.latency.p99 == 30)
        #expect(report.timeToFirstToken?.p50 == 2)
        #expect(report.interTokenLatency?.count == 2)
        #expect(report.benchCPUCores == 0.25)
        #expect(BenchReport(samples: samples, elapsed: .seconds(2), cpuSeconds: 0, streamed: false).timeToFirstToken == nil)
    }

    @Test func streamReaderTimesContentAndPrefersReportedUsage() {
        let start = ContinuousClock.now
        var reader = StreamReader(started: start)
        reader.read(Array(#"{"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}"#.utf8), at: start + .milliseconds(5))
        reader.read(Array(#"{"choices":[{"index":0,"delta":{"content":"Hi"}}]}"#.utf8), at: start + .milliseconds(10))
        reader.read(Array(#"{"choices":[{"index":0,"delta":{"content":" there"}}]}"#.utf8), at: start + .milliseconds(14))
        reader.read(Array(#"{"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":9,"total_tokens":10}}"#.utf8), at: start + .milliseconds(15))
        reader.read(Array("[DONE]".utf8), at: start + .milliseconds(15))
        let sample = reader.sample(finishedAt: start + .milliseconds(16))
        #expect(sample.error == nil)
        #expect(sample.timeToFirstToken == .milliseconds(10))
        #expect(sample.tokenGaps == [.milliseconds(4)])
        #expect(sample.outputTokens == 9)
    }

    @Test func streamsWithoutDoneOrWithAnErrorEventFail() {
        let start = ContinuousClock.now
        var truncated = StreamReader(started: start)
        truncated.read(Array(#"{"choices":[{"index":0,"delta":{"content":"Hi"}}]}"#.utf8), at: start)
        #expect(truncated.sample(finishedAt: start).error == "truncated")
        var broken = StreamReader(started: start)
        broken.read(Array(#"{"error":{"message":"worker died"}}"#.utf8), at: start)
        broken.read(Array("[DONE]".utf8), at: start)
        #expect(broken.sample(finishedAt: start).error == "stream_error")
    }
}
