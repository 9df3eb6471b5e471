/// Keeps a session on one worker, so the worker's cached context for it is reused, without letting
/// popular sessions overload it: consistent hashing with bounded loads (Mirrokni, Thorup and
/// Zadimoghaddam, 2018).
///
/// Each worker owns ``virtualNodes`` points on a hash ring. A session key hashes onto the ring and
/// walks clockwise to the first worker that can take one more request within
/// `ceil(loadBound × (total in flight + 1) / workers)`. A session therefore moves only when its
/// worker leaves or is over the bound, and a joining worker takes about 1/n of the sessions, all
/// from others' arcs. The bound counts this gateway's live in-flight requests, not reported queues:
/// those lag a heartbeat, and at low load one stale request would move sessions for nothing.
/// Requests without a key go to the least `load / speed`, as in shortest_queue.
public struct SessionAffinityPolicy: DispatchPolicy {
    public static let defaultLoadBound = 1.25
    public static let defaultVirtualNodes = 100

    /// How far above the average load a worker may go before sessions spill to the next worker
    /// (the paper's c). 1 allows no imbalance; larger values keep sessions put longer;
    /// `.infinity` is plain consistent hashing. Values below 1 are raised to 1, which still
    /// guarantees some worker is within the bound.
    public let loadBound: Double
    /// Ring points per worker (at least 1); more even out each worker's share of sessions, at the
    /// cost of memory and rebuild time when workers change.
    public let virtualNodes: Int

    private var ring: [RingPoint] = []
    /// The addresses `ring` was built for; the ring is rebuilt only when this set changes.
    private var ringAddresses: Set<String> = []

    public var inputs: RoutingInputs { .sessionKey }

    public init(loadBound: Double = defaultLoadBound, virtualNodes: Int = defaultVirtualNodes) {
        self.loadBound = max(1, loadBound)
        self.virtualNodes = max(1, virtualNodes)
    }

    public mutating func choose(
        from candidates: [DispatchCandidate],
        for request: RoutingRequest,
        using random: inout some RandomNumberGenerator
    ) -> Int? {
        guard let sessionKey = request.sessionKey, !candidates.isEmpty else {
            return candidates.randomIndexOfLeastWeightedLoad(using: &random)
        }
        var indexByAddress: [String: Int] = [:]
        for (index, candidate) in candidates.enumerated() where indexByAddress[candidate.address] == nil {
            indexByAddress[candidate.address] = index
        }
        let addresses = Set(indexByAddress.keys)
        if addresses != ringAddresses { rebuildRing(for: addresses) }

        let totalInFlight = indexByAddress.values.reduce(0) { $0 + candidates[$1].inFlight }
        let capacity = (loadBound * Double(totalInFlight + 1) / Double(addresses.count)).rounded(.up)

        var hash = StableHash()
        hash.combine(sessionKey)
        let start = firstPoint(atOrAfter: hash.value)
        var visited: Set<String> = []
        for step in 0..<ring.count where visited.count < addresses.count {
            let address = ring[(start + step) % ring.count].address
            guard visited.insert(address).inserted, let index = indexByAddress[address] else { continue }
            if Double(candidates[index].inFlight + 1) <= capacity { return index }
        }
        // Unreachable while loadBound ≥ 1 (the capacities then sum to more than the total load);
        // kept so a rounding surprise degrades to shortest_queue instead of failing the request.
        return candidates.randomIndexOfLeastWeightedLoad(using: &random)
    }

    private mutating func rebuildRing(for addresses: Set<String>) {
        ring = addresses.flatMap { address in
            (0..<virtualNodes).map { node in
                var hash = StableHash()
                hash.combine(address)
                hash.combine(UInt64(node))
                return RingPoint(position: hash.value, address: address)
            }
        }
        // Addresses break position ties so the ring doesn't depend on the set's iteration order.
        ring.sort { ($0.position, $0.address) < ($1.position, $1.address) }
        ringAddresses = addresses
    }

    /// The first ring point clockwise from `position`, wrapping past the top.
    private func firstPoint(atOrAfter position: UInt64) -> Int {
        var low = 0
        var high = ring.count
        while low < high {
            let middle = (low + high) / 2
            if ring[middle].position < position { low = middle + 1 } else { high = middle }
        }
        return low == ring.count ? 0 : low
    }

    private struct RingPoint: Sendable {
        var position: UInt64
        var address: String
    }
}
