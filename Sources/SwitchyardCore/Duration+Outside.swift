import NIOHTTP1

extension Duration {
    /// The longest pause Switchyard takes or advises on an outside party's word: a peer's
    /// `retry-after`, a request's simulated stall. Longer advice is not advice but an attack or a bug.
    public static let outsidePauseLimit: Duration = .seconds(3600)

    /// A number of seconds that came from outside (a header, a request field, a peer's report),
    /// made safe to sleep on and to compute with: NaN and negatives are nil, anything longer than
    /// `limit` (infinity and 1e300 included) is `limit`.
    public static func clamped(seconds: Double, limit: Duration = outsidePauseLimit) -> Duration? {
        guard !seconds.isNaN, seconds >= 0 else { return nil }
        let bounded = min(seconds, limit.totalSeconds)
        return min(.nanoseconds(Int64(bounded * 1e9)), limit)
    }

    /// The length in seconds, as a `Double`.
    public var totalSeconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    /// The length in whole milliseconds, rounded up and saturating instead of overflowing.
    public var roundedUpMilliseconds: Int64 {
        let (seconds, overflow) = components.seconds.multipliedReportingOverflow(by: 1000)
        guard !overflow else { return components.seconds < 0 ? .min : .max }
        let (total, sumOverflow) = seconds.addingReportingOverflow((components.attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
        return sumOverflow ? .max : total
    }
}

extension HTTPHeaders {
    /// The pause a peer advised, from `retry-after-ms` or else `retry-after` in seconds, clamped to
    /// ``Swift/Duration/outsidePauseLimit``; nil when neither header holds a usable number
    /// (an HTTP date is not honoured: peers of Switchyard send seconds).
    public var retryAfter: Duration? {
        if let milliseconds = first(name: "retry-after-ms").flatMap(Double.init),
            let pause = Duration.clamped(seconds: milliseconds / 1000)
        {
            return pause
        }
        return first(name: "retry-after").flatMap(Double.init).flatMap { Duration.clamped(seconds: $0) }
    }
}
