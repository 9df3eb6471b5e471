import Routing
import SwitchyardCore

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
    /// Which mirrored worker addresses the gateway calls; nil trusts the controller's own checks
    /// (an in-process controller applies the same policy to every registration).
    public var workerAddresses: WorkerAddressPolicy?

    public init(
        policy: DispatchMethod = .shortestQueue,
        policyByModel: [String: DispatchMethod] = [:],
        policyTuning: PolicyConfiguration = .init(),
        aliases: [String: [String]] = [:],
        circuitBreaker: CircuitBreaker.Configuration = .init(),
        restartRetention: Duration = .seconds(15),
        workerAddresses: WorkerAddressPolicy? = nil
    ) {
        self.policy = policy
        self.policyByModel = policyByModel
        self.policyTuning = policyTuning
        self.aliases = aliases
        self.circuitBreaker = circuitBreaker
        self.restartRetention = restartRetention
        self.workerAddresses = workerAddresses
    }

    /// A registry event as the gateway may use it: workers whose address or control address
    /// ``workerAddresses`` refuses are left out (an upsert of one removes it), and every number a
    /// worker reported is clamped into ``WorkerStatus``'s bounds before policies do arithmetic on it.
    func screened(_ event: RegistryEvent) -> RegistryEvent {
        func admits(_ record: WorkerRecord) -> Bool {
            guard let workerAddresses else { return true }
            return workerAddresses.allows(record.address) && record.controlAddress.map(workerAddresses.allows) ?? true
        }
        switch event {
        case .snapshot(let controllerID, let records):
            return .snapshot(controllerID: controllerID, workers: records.filter(admits).map(\.clamped))
        case .upsert(let record):
            return admits(record) ? .upsert(record.clamped) : .remove(address: record.address)
        case .remove:
            return event
        }
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
