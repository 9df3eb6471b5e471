/// Walker's alias method (Vose's construction): draws a row in proportion to its weight in
/// constant time, which is what makes a million-vote bootstrap resample cheap.
struct AliasTable: Sendable {
    /// Keep the column itself when a draw's fraction falls below this (a probability × 2⁶⁴).
    private let threshold: [UInt64]
    private let alias: [Int]

    /// `weights` must be non-empty, non-negative and not all zero.
    init(weights: [Double]) {
        let k = weights.count
        let total = weights.reduce(0, +)
        var scaled = weights.map { $0 * Double(k) / total }
        var alias = Array(0..<k)
        var small = scaled.indices.filter { scaled[$0] < 1 }
        var large = scaled.indices.filter { scaled[$0] >= 1 }
        while !small.isEmpty, let high = large.last {
            let low = small.removeLast()
            alias[low] = high
            scaled[high] -= 1 - scaled[low]
            if scaled[high] < 1 {
                large.removeLast()
                small.append(high)
            }
        }
        // Columns left in either list are full up to rounding: they always keep themselves.
        for column in small + large { scaled[column] = 1 }
        self.alias = alias
        threshold = scaled.map { $0 >= 1 ? .max : UInt64(max($0, 0) * 0x1p64) }
    }

    /// One draw from a single 64-bit number: the high half of `random × k` picks the column
    /// (Lemire's multiply) and the low half is the uniform fraction that decides the alias.
    @inline(__always)
    func sample(_ random: UInt64) -> Int {
        let product = random.multipliedFullWidth(by: UInt64(threshold.count))
        let column = Int(product.high)
        return product.low < threshold[column] ? column : alias[column]
    }
}
