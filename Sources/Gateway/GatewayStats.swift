import Foundation

/// What the dashboard shows about recent traffic: per model, the last minute of requests, errors and
/// latencies in one-second buckets, and the latest failed requests.
///
/// A value fed with instants, so tests drive it without a clock. Recording is on every request's path,
/// so it costs a few array writes: no allocation once a model's buckets exist, no sorting.
public struct GatewayStats: Sendable {
    /// Seconds of traffic the rates and latencies cover.
    public static let windowSeconds = 60
    /// Failed requests kept for ``recentErrors``.
    public static let errorCapacity = 50
    /// Models with traffic in the window that are tracked one by one; requests for others (a client
    /// trying made-up model names, say) are counted together under ``otherModels``.
    public static let modelCapacity = 256
    public static let otherModels = "(other)"
    /// Longest model name, message, request id or worker kept, in UTF-8 bytes: they come from
    /// clients and workers, and a record must not hold a client's 2 MiB model name.
    public static let textLimit = 256
    public static let messageLimit = 512

    /// One finished request.
    public struct Outcome: Sendable {
        public var model: String
        public var endpoint: String
        public var status: Int
        public var latency: Duration
        public var requestID: String
        public var worker: String
        /// Why it failed, when the gateway knows (the message of the error the client got).
        public var message: String?

        public init(
            model: String,
            endpoint: String,
            status: Int,
            latency: Duration,
            requestID: String = "",
            worker: String = "",
            message: String? = nil
        ) {
            self.model = model
            self.endpoint = endpoint
            self.status = status
            self.latency = latency
            self.requestID = requestID
            self.worker = worker
            self.message = message
        }

        /// Any 4xx or 5xx answer counts as an error: a client's bad request is news to an operator too.
        public var failed: Bool { status >= 400 }
    }

    /// A failed request as the recent-errors list shows it.
    public struct ErrorEntry: Sendable, Equatable {
        public var time: Date
        public var model: String
        public var endpoint: String
        public var status: Int
        public var message: String?
        public var requestID: String
        public var worker: String
    }

    /// One model's traffic over the window.
    public struct ModelSummary: Sendable, Equatable {
        public var requests = 0
        public var errors = 0
        public var requestsPerSecond = 0.0
        /// Errors over requests; 0 with no requests.
        public var errorRate = 0.0
        public var meanLatencyMilliseconds: Double?
        /// Estimated from a histogram whose bins are 20 % wide, so within about 10 %.
        public var p50LatencyMilliseconds: Double?
        public var p95LatencyMilliseconds: Double?
    }

    /// One second of one model's traffic.
    struct Bucket: Sendable {
        var second: Int64 = -1
        var requests = 0
        var errors = 0
        var latencySum = 0.0
        var latencyMin = Double.infinity
        var latencyMax = 0.0
        var histogram = LatencyHistogram()

        mutating func reset(to second: Int64) {
            self.second = second
            requests = 0
            errors = 0
            latencySum = 0
            latencyMin = .infinity
            latencyMax = 0
            histogram.reset()
        }
    }

    /// One model's buckets, a ring indexed by second modulo the window.
    struct Window: Sendable {
        var buckets = Array(repeating: Bucket(), count: GatewayStats.windowSeconds)
        var lastSecond: Int64 = 0
    }

    /// The start of second 0; buckets are numbered by whole seconds since.
    let origin: ContinuousClock.Instant
    private var windows: [String: Window] = [:]
    private var errors: [ErrorEntry] = []
    /// Where the next error goes once ``errors`` is full.
    private var nextError = 0
    /// The second idle models were last dropped: a stream of made-up names sweeps once a second, not per request.
    private var lastSweep: Int64 = -1

    public init(origin: ContinuousClock.Instant) {
        self.origin = origin
    }

    /// Counts a finished request that ended at `instant` (wall-clock `time`, for the error list).
    public mutating func record(_ outcome: Outcome, at instant: ContinuousClock.Instant, time: Date) {
        let second = self.second(of: instant)
        var model = outcome.model.clipped(toUTF8Count: Self.textLimit)
        if windows[model] == nil {
            if lastSweep != second {
                forgetIdleModels(now: second)
                lastSweep = second
            }
            if windows.count >= Self.modelCapacity { model = Self.otherModels }
        }
        let milliseconds = Self.milliseconds(outcome.latency)
        windows[model, default: Window()].add(second: second, milliseconds: milliseconds, failed: outcome.failed)
        if outcome.failed { remember(outcome, time: time) }
    }

    /// Every model with traffic in the window ending at `instant`.
    public func summary(at instant: ContinuousClock.Instant) -> [String: ModelSummary] {
        let now = second(of: instant)
        // Rates are per second of the window, or of the uptime while that is shorter.
        let span = min(Double(Self.windowSeconds), max(1, Self.seconds(instant - origin)))
        var summaries: [String: ModelSummary] = [:]
        for (model, window) in windows {
            var summary = ModelSummary()
            var histogram = LatencyHistogram()
            var latencySum = 0.0
            var latencyMin = Double.infinity
            var latencyMax = 0.0
            for bucket in window.buckets where Self.isInWindow(bucket.second, now: now) {
                summary.requests += bucket.requests
                summary.errors += bucket.errors
                latencySum += bucket.latencySum
                latencyMin = min(latencyMin, bucket.latencyMin)
                latencyMax = max(latencyMax, bucket.latencyMax)
                histogram.add(bucket.histogram)
            }
            guard summary.requests > 0 else { continue }
            summary.requestsPerSecond = Double(summary.requests) / span
            summary.errorRate = Double(summary.errors) / Double(summary.requests)
            summary.meanLatencyMilliseconds = latencySum / Double(summary.requests)
            // A bin's middle can lie beyond the fastest or slowest request seen, which are better answers then
            // (and exact when all requests took about as long).
            let seen = latencyMin...latencyMax
            summary.p50LatencyMilliseconds = histogram.quantile(0.5).map { $0.clamped(to: seen) }
            summary.p95LatencyMilliseconds = histogram.quantile(0.95).map { $0.clamped(to: seen) }
            summaries[model] = summary
        }
        return summaries
    }

    /// The latest failed requests, newest first.
    public var recentErrors: [ErrorEntry] {
        // Once full, the newest errors are those just before the next slot to overwrite.
        Array(errors[..<nextError].reversed()) + Array(errors[nextError...].reversed())
    }

    private mutating func remember(_ outcome: Outcome, time: Date) {
        let entry = ErrorEntry(
            time: time,
            model: outcome.model.clipped(toUTF8Count: Self.textLimit),
            endpoint: outcome.endpoint,
            status: outcome.status,
            message: outcome.message?.clipped(toUTF8Count: Self.messageLimit),
            requestID: outcome.requestID.clipped(toUTF8Count: Self.textLimit),
            worker: outcome.worker.clipped(toUTF8Count: Self.textLimit)
        )
        if errors.count < Self.errorCapacity {
            errors.append(entry)
        } else {
            errors[nextError] = entry
            nextError = (nextError + 1) % Self.errorCapacity
        }
    }

    /// Drops models without traffic in the window, so made-up model names do not pile up.
    private mutating func forgetIdleModels(now: Int64) {
        windows = windows.filter { now - $0.value.lastSecond < Int64(Self.windowSeconds) }
    }

    private func second(of instant: ContinuousClock.Instant) -> Int64 {
        max(0, (instant - origin).components.seconds)
    }

    private static func isInWindow(_ second: Int64, now: Int64) -> Bool {
        second >= 0 && second <= now && now - second < Int64(windowSeconds)
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    static func milliseconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}

extension GatewayStats.Window {
    fileprivate mutating func add(second: Int64, milliseconds: Double, failed: Bool) {
        buckets[Int(second % Int64(GatewayStats.windowSeconds))].add(second: second, milliseconds: milliseconds, failed: failed)
        lastSecond = max(lastSecond, second)
    }
}

extension GatewayStats.Bucket {
    fileprivate mutating func add(second: Int64, milliseconds: Double, failed: Bool) {
        // A slot still holding a second from a minute ago starts over; a request that finished
        // a minute before the slot's second (a stalled thread) is too old to count.
        if self.second < second { reset(to: second) }
        guard self.second == second else { return }
        requests += 1
        if failed { errors += 1 }
        latencySum += milliseconds
        latencyMin = min(latencyMin, milliseconds)
        latencyMax = max(latencyMax, milliseconds)
        histogram.add(milliseconds)
    }
}

extension Double {
    fileprivate func clamped(to range: ClosedRange<Double>) -> Double {
        Swift.min(Swift.max(self, range.lowerBound), range.upperBound)
    }
}
