/// Requests and errors of the last minute in one-second buckets: constant memory and cost,
/// however busy the worker is.
struct RecentActivity: Sendable, Equatable {
    static let window = 60

    private var requests = [Int](repeating: 0, count: window)
    private var errors = [Int](repeating: 0, count: window)
    /// The second each bucket holds, so stale buckets are recognised and reused.
    private var seconds = [Int64](repeating: -1, count: window)

    mutating func record(error: Bool, at second: Int64) {
        let slot = Int(second % Int64(Self.window))
        if seconds[slot] != second {
            seconds[slot] = second
            requests[slot] = 0
            errors[slot] = 0
        }
        requests[slot] += 1
        if error { errors[slot] += 1 }
    }

    /// Totals over the minute ending at `second`.
    func lastMinute(at second: Int64) -> (requests: Int, errors: Int) {
        var totals = (requests: 0, errors: 0)
        for slot in 0..<Self.window where seconds[slot] > second - Int64(Self.window) && seconds[slot] <= second {
            totals.requests += requests[slot]
            totals.errors += errors[slot]
        }
        return totals
    }
}
