import Foundation

/// Latencies counted in bins 20 % wide (from 1 ms up to about 7 minutes), so a percentile over many
/// requests costs one pass over 72 counters instead of keeping and sorting every latency.
struct LatencyHistogram: Sendable {
    static let binCount = 72
    static let growth = 1.2
    private static let logGrowth = log(growth)

    /// Empty until the first latency, so a second without traffic costs nothing.
    private var counts: [UInt32] = []
    private(set) var total = 0

    mutating func add(_ milliseconds: Double) {
        if counts.isEmpty { counts = Array(repeating: 0, count: Self.binCount) }
        counts[Self.bin(of: milliseconds)] += 1
        total += 1
    }

    mutating func add(_ other: LatencyHistogram) {
        guard other.total > 0 else { return }
        if counts.isEmpty { counts = Array(repeating: 0, count: Self.binCount) }
        for index in counts.indices { counts[index] += other.counts[index] }
        total += other.total
    }

    /// Empties the histogram but keeps its storage for the next second.
    mutating func reset() {
        guard total > 0 else { return }
        for index in counts.indices { counts[index] = 0 }
        total = 0
    }

    /// The middle of the bin holding the `q`-quantile (0...1), or nil when empty.
    func quantile(_ q: Double) -> Double? {
        guard total > 0 else { return nil }
        let rank = max(1, Int((q * Double(total)).rounded(.up)))
        var seen = 0
        for (bin, count) in counts.enumerated() {
            seen += Int(count)
            if seen >= rank { return Self.middle(of: bin) }
        }
        return Self.middle(of: Self.binCount - 1)
    }

    /// Bin 0 holds up to 1 ms; bin `i` holds (1.2^(i-1), 1.2^i] ms; the last bin everything slower.
    static func bin(of milliseconds: Double) -> Int {
        guard milliseconds > 1 else { return 0 }
        let bin = Int((log(milliseconds) / logGrowth).rounded(.up))
        return min(binCount - 1, bin)
    }

    /// The geometric middle of a bin, within 10 % of anything in it.
    static func middle(of bin: Int) -> Double {
        bin == 0 ? 1 : pow(growth, Double(bin) - 0.5)
    }
}
