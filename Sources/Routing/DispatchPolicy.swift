/// Picks one worker among candidates that all serve the requested model.
///
/// Policies are pure: all randomness comes from the generator passed in, so tests can seed it.
public protocol DispatchPolicy: Sendable {
    /// Returns the index of the chosen candidate, or nil when `candidates` is empty.
    mutating func choose(from candidates: [DispatchCandidate], using random: inout some RandomNumberGenerator) -> Int?
}

/// The policies selectable by name (`--dispatch`), named as in FastChat.
public enum DispatchMethod: String, Sendable, CaseIterable {
    case shortestQueue = "shortest_queue"
    case lottery

    public func makePolicy() -> any DispatchPolicy {
        switch self {
        case .shortestQueue: ShortestQueuePolicy()
        case .lottery: LotteryPolicy()
        }
    }
}
