/// Sends a prompt to the worker that most recently served the longest prefix of it, so the
/// worker's prefix (KV) cache is reused, unless that worker is clearly busier than the rest.
///
/// Prompts are cut into blocks of ``blockSize`` UTF-8 bytes; a trailing partial block is ignored.
/// Each run of leading blocks hashes to a key, and a table of (key, worker) entries approximates
/// the workers' caches. The table keeps at most ``maxEntries`` entries, evicting the least recently
/// used; within a prompt the deepest blocks count as oldest, so the shared leading blocks are the
/// last to go. Only the workers among the current candidates are matched, so a departed worker
/// attracts nothing and its entries simply age out.
///
/// When the longest-match holder's load exceeds that of shortest_queue's pick by more than
/// ``imbalanceMargin`` requests, the request goes to that pick instead; so do requests without a
/// prompt or without a match. Either way the chosen worker is recorded as holding the prompt.
public struct PrefixAwarePolicy: DispatchPolicy {
    public static let defaultBlockSize = 32
    public static let defaultMaxEntries = 100_000
    public static let defaultImbalanceMargin = 4

    /// Bytes per block (at least 1): smaller blocks match finer but take more entries per prompt.
    public let blockSize: Int
    /// The table's capacity in (block, worker) entries (at least 1), which bounds its memory.
    public let maxEntries: Int
    /// How many more requests than the least loaded worker a holder may have and still win
    /// (at least 0). A cache hit saves prefill, but not a wait behind a long queue.
    public let imbalanceMargin: Int

    /// (prefix key, worker) → the logical time the worker last served that prefix.
    private var lastServed: [Entry: UInt64] = [:]
    private var clock: UInt64 = 0

    public var inputs: RoutingInputs { .prompt }

    public init(
        blockSize: Int = defaultBlockSize,
        maxEntries: Int = defaultMaxEntries,
        imbalanceMargin: Int = defaultImbalanceMargin
    ) {
        self.blockSize = max(1, blockSize)
        self.maxEntries = max(1, maxEntries)
        self.imbalanceMargin = max(0, imbalanceMargin)
    }

    public mutating func choose(
        from candidates: [DispatchCandidate],
        for request: RoutingRequest,
        using random: inout some RandomNumberGenerator
    ) -> Int? {
        guard let leastLoaded = candidates.randomIndexOfLeastWeightedLoad(using: &random) else { return nil }
        guard let prompt = request.prompt else { return leastLoaded }
        let keys = prefixKeys(of: prompt)
        var chosen = leastLoaded
        // A margin near Int.max (it is configurable) must not overflow the sum: then any holder wins.
        let (bound, overflow) = candidates[leastLoaded].load.addingReportingOverflow(imbalanceMargin)
        if let holder = longestPrefixHolder(of: keys, among: candidates, using: &random),
            overflow || candidates[holder].load <= bound
        {
            chosen = holder
        }
        record(keys, servedBy: candidates[chosen].address)
        return chosen
    }

    /// One key per full block: the hash of the prompt up to that block's end.
    private func prefixKeys(of prompt: String) -> [UInt64] {
        var hash = StableHash()
        var keys: [UInt64] = []
        var bytesInBlock = 0
        for byte in prompt.utf8 {
            hash.combine(byte)
            bytesInBlock += 1
            if bytesInBlock == blockSize {
                keys.append(hash.value)
                bytesInBlock = 0
            }
        }
        return keys
    }

    /// The least loaded of the candidates holding the most leading blocks, or nil if none holds
    /// the first.
    private func longestPrefixHolder(
        of keys: [UInt64],
        among candidates: [DispatchCandidate],
        using random: inout some RandomNumberGenerator
    ) -> Int? {
        var holders: [Int] = []
        var remaining = Array(candidates.indices)
        for key in keys {
            remaining = remaining.filter { lastServed[Entry(key: key, address: candidates[$0].address)] != nil }
            if remaining.isEmpty { break }
            holders = remaining
        }
        return candidates.randomIndexOfMinimum(
            among: holders,
            by: { $0.weightedLoad < $1.weightedLoad },
            using: &random
        )
    }

    private mutating func record(_ keys: [UInt64], servedBy address: String) {
        for key in keys.reversed() {
            clock += 1
            lastServed[Entry(key: key, address: address)] = clock
        }
        evictIfFull()
    }

    /// Evicts down to 7/8 of capacity at once, so the sort is paid once per many insertions.
    private mutating func evictIfFull() {
        guard lastServed.count > maxEntries else { return }
        let excess = lastServed.count - (maxEntries - maxEntries / 8)
        for (entry, _) in lastServed.sorted(by: { $0.value < $1.value }).prefix(excess) {
            lastServed[entry] = nil
        }
    }

    private struct Entry: Hashable, Sendable {
        var key: UInt64
        var address: String
    }
}
