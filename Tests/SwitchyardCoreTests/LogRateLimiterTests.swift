import Logging
import Synchronization
import Testing

@testable import SwitchyardCore

@Suite struct LogRateLimiterTests {
    let start = ContinuousClock.now
    let failed = LogRateLimiter.Key(level: .error, message: "request failed")

    @Test func writesTheFirstLinesOfAWindowThenSummarisesTheRest() {
        var limiter = LogRateLimiter(linesPerWindow: 3, window: .seconds(1))
        let decisions = (0..<1_000).map { limiter.admit(failed, at: start + .microseconds($0)) }
        #expect(decisions.filter(\.write).count == 3)
        #expect(decisions.allSatisfy { $0.summaries.isEmpty })
        // The next second: one summary for the 997 held back, then the line itself.
        let next = limiter.admit(failed, at: start + .seconds(1))
        #expect(next == .init(write: true, summaries: [.init(key: failed, count: 997)]))
        #expect(limiter.admit(failed, at: start + .seconds(1)).summaries.isEmpty)
    }

    @Test func keepsMessagesAndLevelsApart() {
        var limiter = LogRateLimiter(linesPerWindow: 1, window: .seconds(1))
        let warning = LogRateLimiter.Key(level: .warning, message: "request failed")
        let other = LogRateLimiter.Key(level: .error, message: "circuit opened")
        #expect(limiter.admit(failed, at: start).write)
        #expect(!limiter.admit(failed, at: start).write)
        #expect(limiter.admit(warning, at: start).write)
        #expect(limiter.admit(other, at: start).write)
    }

    @Test func aFloodThatStopsIsSummarisedWithTheNextLineOfAnyMessage() {
        var limiter = LogRateLimiter(linesPerWindow: 1, window: .seconds(1))
        for _ in 0..<5 { _ = limiter.admit(failed, at: start) }
        let other = LogRateLimiter.Key(level: .warning, message: "worker request failed")
        #expect(limiter.admit(other, at: start + .milliseconds(500)).summaries.isEmpty)
        let later = limiter.admit(other, at: start + .seconds(3))
        #expect(later == .init(write: true, summaries: [.init(key: failed, count: 4)]))
        // Ended windows are dropped from the table.
        #expect(limiter.count == 1)
    }

    @Test func manyDistinctMessagesShareOneEntryPastTheCapacity() {
        var limiter = LogRateLimiter(linesPerWindow: 2, window: .seconds(1), capacity: 8)
        let written = (0..<100_000).filter { limiter.admit(.init(level: .error, message: "no model \($0)"), at: start).write }
        #expect(limiter.count == 9)
        // One line of each of the first 8 messages, then 2 of the shared entry.
        #expect(written.count == 8 + 2)
        let summaries = limiter.admit(failed, at: start + .seconds(1)).summaries
        #expect(summaries.contains(.init(key: .init(level: .error, message: LogRateLimiter.otherMessages), count: 100_000 - 8 - 2)))
    }

    @Test func extremeSettingsStaySane() {
        var limiter = LogRateLimiter(linesPerWindow: 0, window: .zero, capacity: 0)
        #expect(limiter.admit(failed, at: start).write)
        #expect(limiter.admit(failed, at: start).write)
        #expect(limiter.count == 1)
    }

    @Test func theHandlerWritesSummariesAndClipsLongText() {
        let lines = Lines()
        let clock = Mutex(start)
        let shared = RateLimitedLogHandler.Shared(LogRateLimiter(linesPerWindow: 2, window: .seconds(1)), now: { clock.withLock { $0 } })
        let logger = Logger(label: "test") { _ in RateLimitedLogHandler(wrapping: lines, shared: shared) }
        let huge = String(repeating: "x", count: 2 << 20)
        for _ in 0..<50 { logger.error("request failed", metadata: ["model": "\(huge)"]) }
        for _ in 0..<50 { logger.info("request", metadata: ["model": "m"]) }
        logger.warning("\(huge)")
        clock.withLock { $0 += .seconds(1) }
        logger.error("request failed")
        let written = lines.recorded.events.withLock { $0 }
        #expect(written.filter { $0.message == "request failed" }.count == 3)
        #expect(written.filter { $0.message == "request" }.count == 50)
        let summary = written.first { $0.message == "suppressed 48 similar lines" }
        #expect(summary?.level == .error)
        #expect(summary?.metadata?["message"] == "request failed")
        #expect(written.allSatisfy { $0.message.description.utf8.count <= RateLimitedLogHandler.textLimit + 3 })
        let model = written.first?.metadata?["model"]
        #expect(model.map { "\($0)".utf8.count <= RateLimitedLogHandler.textLimit + 3 } == true)
    }
}

/// A log handler that keeps what it is given.
private struct Lines: LogHandler {
    final class Recorded: Sendable {
        let events = Mutex<[LogEvent]>([])
    }

    let recorded = Recorded()
    var metadata: Logger.Metadata = [:]
    var metadataProvider: Logger.MetadataProvider?
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        recorded.events.withLock { $0.append(event) }
    }
}
