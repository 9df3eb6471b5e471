import Logging
import Synchronization

/// Lets through at most `linesPerWindow` warning-or-worse lines with the same level and message
/// per window, and counts the rest, so a client repeating a failing request (or a flood of broken
/// connections) cannot fill the disk with one line per attempt.
///
/// The count of a message's suppressed lines comes back once its window has ended, to be written
/// as one summary line: with that message's next line, or with any later line once a window has
/// passed. A pure value fed with instants, so tests drive it without a clock; its table holds at
/// most `capacity` messages, and lines of further messages share one entry.
public struct LogRateLimiter: Sendable {
    public struct Key: Hashable, Sendable {
        public var level: Logger.Level
        public var message: String

        public init(level: Logger.Level, message: String) {
            self.level = level
            self.message = message
        }
    }

    /// Lines of one message not written in a window that has ended.
    public struct Suppressed: Equatable, Sendable {
        public var key: Key
        public var count: Int
    }

    /// What to do with one line: write it or not, and first write these summaries.
    public struct Decision: Equatable, Sendable {
        public var write: Bool
        public var summaries: [Suppressed] = []
    }

    /// Where lines go once the table is full: messages past the capacity share a window.
    public static let otherMessages = "(other messages)"

    public let linesPerWindow: Int
    public let window: Duration
    public let capacity: Int

    private struct Entry {
        var start: ContinuousClock.Instant
        var written = 0
        var suppressed = 0
    }

    private var entries: [Key: Entry] = [:]
    private var lastSweep: ContinuousClock.Instant?

    public init(linesPerWindow: Int = 10, window: Duration = .seconds(1), capacity: Int = 256) {
        self.linesPerWindow = max(1, linesPerWindow)
        self.window = window
        self.capacity = max(1, capacity)
    }

    public mutating func admit(_ key: Key, at now: ContinuousClock.Instant) -> Decision {
        var summaries: [Suppressed] = []
        // Ended windows are dropped (and their counts reported) at most once a window, not per line.
        if lastSweep.map({ now - $0 >= window }) ?? true {
            lastSweep = now
            for (key, entry) in entries where entry.suppressed > 0 && now - entry.start >= window {
                summaries.append(Suppressed(key: key, count: entry.suppressed))
            }
            entries = entries.filter { now - $0.value.start < window }
        }
        var key = key
        if entries[key] == nil && entries.count >= capacity {
            key = Key(level: key.level, message: Self.otherMessages)
        }
        var entry = entries[key] ?? Entry(start: now)
        if now - entry.start >= window {
            if entry.suppressed > 0 { summaries.append(Suppressed(key: key, count: entry.suppressed)) }
            entry = Entry(start: now)
        }
        let write = entry.written < linesPerWindow
        if write { entry.written += 1 } else { entry.suppressed += 1 }
        entries[key] = entry
        return Decision(write: write, summaries: summaries)
    }

    /// Messages in the table, for tests.
    var count: Int { entries.count }
}

/// A log handler that sends warning-or-worse lines through one ``LogRateLimiter`` shared by the
/// whole process, and clips long messages and metadata strings (they can echo client input) to
/// ``textLimit`` bytes. Lines below warning (the per-request `info` line) pass unthrottled.
public struct RateLimitedLogHandler: LogHandler {
    public static let textLimit = 1024

    /// The process's limiter, shared by every logger's handler.
    public final class Shared: Sendable {
        let limiter: Mutex<LogRateLimiter>
        let now: @Sendable () -> ContinuousClock.Instant

        public init(_ limiter: LogRateLimiter = LogRateLimiter(), now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
            self.limiter = Mutex(limiter)
            self.now = now
        }

        func admit(_ key: LogRateLimiter.Key) -> LogRateLimiter.Decision {
            let now = now()
            return limiter.withLock { $0.admit(key, at: now) }
        }
    }

    public var inner: any LogHandler
    let shared: Shared

    public init(wrapping inner: any LogHandler, shared: Shared) {
        self.inner = inner
        self.shared = shared
    }

    public var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue }
    }

    public var metadataProvider: Logger.MetadataProvider? {
        get { inner.metadataProvider }
        set { inner.metadataProvider = newValue }
    }

    public var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue }
    }

    public func log(event: LogEvent) {
        let event = Self.clipped(event)
        guard event.level >= .warning else { return inner.log(event: event) }
        let decision = shared.admit(LogRateLimiter.Key(level: event.level, message: event.message.description))
        for summary in decision.summaries {
            var line = event
            line.level = summary.key.level
            line.message = "suppressed \(summary.count) similar lines"
            line.metadata = ["suppressed": .stringConvertible(summary.count), "message": .string(summary.key.message)]
            line.error = nil
            inner.log(event: line)
        }
        if decision.write { inner.log(event: event) }
    }

    /// The event with its message and string metadata at most ``textLimit`` bytes each; unchanged
    /// (and not copied) when nothing is that long, as almost always.
    static func clipped(_ event: LogEvent) -> LogEvent {
        var event = event
        let message = event.message.description
        if message.utf8.count > textLimit { event.message = "\(message.clipped(toUTF8Count: textLimit))" }
        guard let metadata = event.metadata, metadata.values.contains(where: { $0.isLongString }) else { return event }
        event.metadata = metadata.mapValues { value in
            if case .string(let text) = value, value.isLongString { return .string(text.clipped(toUTF8Count: textLimit)) }
            return value
        }
        return event
    }
}

extension Logger.MetadataValue {
    fileprivate var isLongString: Bool {
        if case .string(let text) = self { text.utf8.count > RateLimitedLogHandler.textLimit } else { false }
    }
}
