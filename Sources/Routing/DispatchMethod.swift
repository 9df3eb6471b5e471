/// The policies selectable by name (`--dispatch`); FastChat's two keep FastChat's names.
public enum DispatchMethod: String, Sendable, CaseIterable {
    case shortestQueue = "shortest_queue"
    case lottery
    case roundRobin = "round_robin"
    case powerOfTwo = "power_of_two"
    case leastLoaded = "least_loaded"
    case session
    case prefix

    /// A fresh policy; stateful ones (rotation, ring, prefix table) start empty.
    public func makePolicy(_ configuration: PolicyConfiguration = .init()) -> any DispatchPolicy {
        switch self {
        case .shortestQueue: ShortestQueuePolicy()
        case .lottery: LotteryPolicy()
        case .roundRobin: RoundRobinPolicy()
        case .powerOfTwo: PowerOfTwoPolicy()
        case .leastLoaded: LeastLoadedPolicy()
        case .session:
            SessionAffinityPolicy(
                loadBound: configuration.sessionLoadBound,
                virtualNodes: configuration.sessionVirtualNodes
            )
        case .prefix:
            PrefixAwarePolicy(
                blockSize: configuration.prefixBlockSize,
                maxEntries: configuration.prefixMaxEntries,
                imbalanceMargin: configuration.prefixImbalanceMargin
            )
        }
    }
}
