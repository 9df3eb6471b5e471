import Routing
import SwitchyardCore

/// The gateway's view of the workers: a mirror of the controller's registry plus what only this
/// gateway knows — its in-flight counts, each worker's circuit breaker, model aliases and one
/// dispatch policy per model. A pure value; time and randomness are passed in.
public struct DirectoryState: Sendable {
    public enum Pick: Sendable, Equatable {
        /// A worker, and the model name it serves for this request (differs from the request's for an alias).
        case worker(address: String, servedModel: String)
        /// No worker has ever been seen serving the model (or an alias of it).
        case unknownModel
        /// The model exists but no worker can take a request now (all draining, broken or gone).
        case unavailable
        /// Healthy workers exist but every one is at its concurrency limit.
        case saturated
    }

    public private(set) var workers: [String: WorkerRecord] = [:]
    public private(set) var inFlight: [String: Int] = [:]
    public private(set) var breakers: [String: CircuitBreaker] = [:]
    /// Workers kept after a controller restart, until they re-register or the deadline passes.
    public private(set) var retainedUntil: [String: ContinuousClock.Instant] = [:]
    public private(set) var controllerID: String?
    private var addressesByModel: [String: [String]] = [:]
    /// Every model a worker has served since start: while its workers restart it is unavailable
    /// (503, which clients retry), not unknown (404, which they do not). Past
    /// ``seenModelCapacity`` names (workers registering made-up names) it starts over from the
    /// models served now.
    private var seenModels: Set<String> = []
    public static let seenModelCapacity = 10_000
    private var policies: [String: any DispatchPolicy] = [:]
    public let routing: RoutingConfiguration

    public init(routing: RoutingConfiguration = .init()) {
        self.routing = routing
    }

    public mutating func apply(_ event: RegistryEvent, now: ContinuousClock.Instant) {
        switch routing.screened(event) {
        case .snapshot(let newControllerID, let records):
            let restarted = controllerID != nil && controllerID != newControllerID
            var next = Dictionary(records.map { ($0.address, $0) }, uniquingKeysWith: { $1 })
            var retained: [String: ContinuousClock.Instant] = [:]
            for (address, record) in workers where next[address] == nil {
                // Same controller: it forgot the worker on purpose, unless we were already retaining it.
                guard let deadline = restarted ? now + routing.restartRetention : retainedUntil[address] else { continue }
                retained[address] = deadline
                next[address] = record
            }
            workers = next
            retainedUntil = retained
            controllerID = newControllerID
        case .upsert(let record):
            workers[record.address] = record
            retainedUntil.removeValue(forKey: record.address)
        case .remove(let address):
            workers.removeValue(forKey: address)
            retainedUntil.removeValue(forKey: address)
        }
        breakers = breakers.filter { workers[$0.key] != nil }
        rebuildIndex()
    }

    /// Picks a worker for the request and counts it as in flight until ``release(_:)``.
    ///
    /// Workers in `excluded` (already tried by this request) are used only when nothing else is left.
    public mutating func lease(
        _ request: RoutingRequest,
        excluding excluded: Set<String> = [],
        using random: inout some RandomNumberGenerator,
        now: ContinuousClock.Instant
    ) -> Pick {
        dropExpiredRetentions(now: now)
        let servedModels = routing.servedModels(for: request.model)
        var addresses: [String] = []
        for model in servedModels { addresses += addressesByModel[model] ?? [] }
        guard !addresses.isEmpty else {
            return servedModels.contains(where: seenModels.contains) ? .unavailable : .unknownModel
        }

        let ready = Set(addresses).sorted().filter { workers[$0]?.state == .ready }
        var admitted = ready.filter { breakers[$0]?.admits(now: now) ?? true }
        // Panic mode: when every ready worker's breaker is open, health data is more likely wrong
        // (an overloaded gateway timing out its own probes) than every worker dead; try them all,
        // and let retries skip the truly dead ones.
        if admitted.isEmpty { admitted = ready }

        var healthy: [DispatchCandidate] = []
        var fresh: [DispatchCandidate] = []
        for address in admitted {
            guard let record = workers[address] else { continue }
            let candidate = DispatchCandidate(
                address: address,
                speed: record.speed,
                reportedQueue: record.queueLength,
                inFlight: inFlight[address, default: 0]
            )
            healthy.append(candidate)
            // The gateway's own count is exact for its traffic; the reported queue lags a heartbeat.
            if let limit = record.limitConcurrency, candidate.inFlight >= limit { continue }
            if !excluded.contains(address) { fresh.append(candidate) }
        }
        guard !healthy.isEmpty else { return .unavailable }
        var candidates = fresh
        if candidates.isEmpty {
            candidates = healthy.filter { candidate in
                workers[candidate.address]?.limitConcurrency.map { candidate.inFlight < $0 } ?? true
            }
        }
        guard !candidates.isEmpty else { return .saturated }

        // Taken out of the table while it runs, so a stateful policy mutates in place instead of copying.
        var policy = policies.removeValue(forKey: request.model) ?? routing.policy(for: request.model)
        let index = policy.choose(from: candidates, for: request, using: &random)
        policies[request.model] = policy
        guard let index else { return .unavailable }
        let address = candidates[index].address
        inFlight[address, default: 0] += 1
        _ = breakers[address]?.dispatched(now: now)
        let servedModel = workers[address]!.models.first { servedModels.contains($0) } ?? request.model
        return .worker(address: address, servedModel: servedModel)
    }

    public mutating func release(_ address: String) {
        guard let count = inFlight[address] else { return }
        inFlight[address] = count > 1 ? count - 1 : nil
    }

    /// Feeds a request's or a probe's outcome to the worker's circuit breaker.
    @discardableResult
    public mutating func record(success: Bool, for address: String, hard: Bool = false, now: ContinuousClock.Instant) -> CircuitBreaker.Transition? {
        guard workers[address] != nil else { return nil }
        var breaker = breakers[address] ?? CircuitBreaker(configuration: routing.circuitBreaker)
        let transition = success ? breaker.recordSuccess(now: now) : breaker.recordFailure(now: now, hard: hard)
        breakers[address] = breaker
        return transition
    }

    /// Models clients may ask for: those served by a known worker, and aliases that lead to one.
    public var modelNames: [String] {
        var names = Set(addressesByModel.keys)
        for (alias, targets) in routing.aliases where targets.contains(where: { addressesByModel[$0] != nil }) {
            names.insert(alias)
        }
        return names.sorted()
    }

    /// The models each worker serves, for waking requests queued on them.
    public func models(of address: String) -> [String] {
        workers[address]?.models ?? []
    }

    private mutating func dropExpiredRetentions(now: ContinuousClock.Instant) {
        let expired = retainedUntil.filter { $0.value <= now }.map(\.key)
        guard !expired.isEmpty else { return }
        for address in expired {
            retainedUntil.removeValue(forKey: address)
            workers.removeValue(forKey: address)
        }
        rebuildIndex()
    }

    private mutating func rebuildIndex() {
        var index: [String: [String]] = [:]
        for record in workers.values {
            for model in record.models { index[model, default: []].append(record.address) }
        }
        addressesByModel = index
        seenModels.formUnion(index.keys)
        if seenModels.count > Self.seenModelCapacity { seenModels = Set(index.keys) }
        // A model no worker serves any more keeps no policy (an alias keeps its own).
        policies = policies.filter { index[$0.key] != nil || routing.aliases[$0.key] != nil }
    }
}
