/// Picks one worker among candidates that all serve the requested model.
///
/// Policies are pure: all randomness comes from the generator passed in, so tests can seed it.
/// A policy may keep state between picks (a rotation, a prefix tree); the caller keeps one
/// policy value per model and serialises calls.
public protocol DispatchPolicy: Sendable {
    /// What the gateway must extract from a request for this policy; parsing is skipped otherwise.
    var inputs: RoutingInputs { get }

    /// Returns the index of the chosen candidate, or nil when `candidates` is empty.
    mutating func choose(
        from candidates: [DispatchCandidate],
        for request: RoutingRequest,
        using random: inout some RandomNumberGenerator
    ) -> Int?
}

extension DispatchPolicy {
    public var inputs: RoutingInputs { [] }
}

/// The request facts a policy may route on.
public struct RoutingRequest: Sendable, Equatable {
    public var model: String
    /// Affinity key: a configured header's value, else the request's `user` field.
    public var sessionKey: String?
    /// The prompt text (messages' contents joined in order), for prefix-aware routing.
    public var prompt: String?

    public init(model: String, sessionKey: String? = nil, prompt: String? = nil) {
        self.model = model
        self.sessionKey = sessionKey
        self.prompt = prompt
    }
}

/// Which optional ``RoutingRequest`` fields a policy reads.
public struct RoutingInputs: OptionSet, Sendable {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    public static let sessionKey = RoutingInputs(rawValue: 1 << 0)
    public static let prompt = RoutingInputs(rawValue: 1 << 1)
}
