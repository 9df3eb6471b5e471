import Routing
import SwitchyardCore

/// The gateway's view of the workers: a mirror of the controller's registry plus this gateway's own
/// in-flight counts. A pure value; time and randomness are passed in.
public struct DirectoryState: Sendable {
    public enum Pick: Sendable, Equatable {
        case worker(String)
        /// No worker has ever been seen serving the model.
        case unknownModel
        /// The model exists but no worker can take a request now (all draining or gone).
        case unavailable
    }

    public private(set) var workers: [String: WorkerRecord] = [:]
    public private(set) var inFlight: [String: Int] = [:]
    /// Workers kept after a controller restart, until they re-register or the deadline passes.
    public private(set) var retainedUntil: [String: ContinuousClock.Instant] = [:]
    public private(set) var controllerID: String?
    private var addressesByModel: [String: [String]] = [:]

    /// How long workers missing from a restarted controller's first snapshot stay routable; they
    /// re-register within a heartbeat, and dropping them at once would fail every request meanwhile.
    public var restartRetention: Duration

    public init(restartRetention: Duration = .seconds(15)) {
        self.restartRetention = restartRetention
    }

    public mutating func apply(_ event: RegistryEvent, now: ContinuousClock.Instant) {
        switch event {
        case .snapshot(let newControllerID, let records):
            let restarted = controllerID != nil && controllerID != newControllerID
            var next = Dictionary(records.map { ($0.address, $0) }, uniquingKeysWith: { $1 })
            var retained: [String: ContinuousClock.Instant] = [:]
            for (address, record) in workers where next[address] == nil {
                // Same controller: it forgot the worker on purpose, unless we were already retaining it.
                guard let deadline = restarted ? now + restartRetention : retainedUntil[address] else { continue }
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
        rebuildIndex()
    }

    /// Picks a worker for `model` and counts the request against it until ``release(_:)``.
    public mutating func lease(
        model: String,
        policy: inout some DispatchPolicy,
        using random: inout some RandomNumberGenerator,
        now: ContinuousClock.Instant
    ) -> Pick {
        dropExpiredRetentions(now: now)
        guard let addresses = addressesByModel[model] else { return .unknownModel }
        let ready = addresses.compactMap { address -> DispatchCandidate? in
            guard let record = workers[address], record.state == .ready else { return nil }
            return DispatchCandidate(
                address: address,
                speed: record.speed,
                reportedQueue: record.queueLength,
                inFlight: inFlight[address, default: 0]
            )
        }
        guard let index = policy.choose(from: ready, for: RoutingRequest(model: model), using: &random) else { return .unavailable }
        let address = ready[index].address
        inFlight[address, default: 0] += 1
        return .worker(address)
    }

    public mutating func release(_ address: String) {
        guard let count = inFlight[address] else { return }
        inFlight[address] = count > 1 ? count - 1 : nil
    }

    /// Models served by at least one known worker, sorted.
    public var modelNames: [String] { addressesByModel.keys.sorted() }

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
    }
}
