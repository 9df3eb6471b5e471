import Routing

/// How the gateway picks workers: policies, aliases, breaker settings.
public struct RoutingConfiguration: Sendable {
    /// The policy of every model without its own entry in `policyByModel`.
    public var policy: DispatchMethod
    public var policyByModel: [String: DispatchMethod]
    /// Tunables of the session and prefix policies.
    public var policyTuning: PolicyConfiguration
    /// A requested name → the served model names it may go to (e.g. `gpt-4o-mini` → `smollm2`).
    public var aliases: [String: [String]]
    public var circuitBreaker: CircuitBreaker.Configuration
    /// How long workers missing from a restarted controller's first snapshot stay routable; they
    /// re-register within a heartbeat, and dropping them at once would fail every request meanwhile.
    public var restartRetention: Duration

    public init(
        policy: DispatchMethod = .shortestQueue,
        policyByModel: [String: DispatchMethod] = [:],
        policyTuning: PolicyConfiguration = .init(),
        aliases: [String: [String]] = [:],
        circuitBreaker: CircuitBreaker.Configuration = .init(),
        restartRetention: Duration = .seconds(15)
    ) {
        self.policy = policy
        self.policyByModel = policyByModel
        self.policyTuning = policyTuning
        self.aliases = aliases
        self.circuitBreaker = circuitBreaker
        self.restartRetention = restartRetention
    }

    func policy(for model: String) -> any DispatchPolicy {
        (policyByModel[model] ?? policy).makePolicy(policyTuning)
    }

    /// Request facts the model's policy routes on, so the relay parses no more than needed.
    func inputs(for model: String) -> RoutingInputs {
        policy(for: model).inputs
    }

    /// The model names a request for `model` may be served by: its alias targets, or itself.
    func servedModels(for model: String) -> [String] {
        aliases[model] ?? [model]
    }
}
