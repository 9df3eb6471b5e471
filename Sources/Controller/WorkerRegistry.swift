import OrderedCollections
import Routing
import SwitchyardCore

/// The controller's table of workers, keyed by worker address: a pure value with no clock or I/O.
///
/// Time is passed into every call, so expiry is tested with instants a test makes up.
/// Insertion order is kept (FastChat's dispatch order); re-registering keeps a worker's place.
public struct WorkerRegistry: Sendable {
    public struct Entry: Sendable, Equatable {
        public var status: WorkerStatus
        public var checkHeartBeat: Bool
        public var multimodal: Bool
        public var lastHeartbeat: ContinuousClock.Instant
        /// Shown to operators, never routed on, so it does not count as a change.
        public var activity: WorkerActivity? = nil
        /// When an operator last set the state here, until a heartbeat agrees with it.
        public var operatorStateSince: ContinuousClock.Instant? = nil
        /// The heartbeat stream the last beat came over (nil: a POST): when that stream breaks,
        /// the worker is gone at once instead of after the expiry.
        public var beatStream: UInt64? = nil
    }

    /// How long a heartbeat that contradicts an operator's drain or undrain is taken for one sent
    /// before the worker heard of it. Beyond that the worker's word counts again.
    public static let operatorStateGrace: Duration = .seconds(5)

    public enum HeartbeatOutcome: Sendable, Equatable {
        /// The worker is not registered; FastChat answers `exist: false` and the worker re-registers.
        case unknown
        /// Known, and something a gateway routes on changed.
        case changed(WorkerRecord)
        /// Known; only the heartbeat time moved.
        case refreshed
    }

    public private(set) var entries: OrderedDictionary<String, Entry> = [:]
    /// Most workers kept: registrations beyond it are refused, so endless fake registrations
    /// cannot grow the controller (and every gateway's mirror) without limit.
    public let capacity: Int
    /// Most model names kept, summed over the workers: with ``WorkerStatus``'s bounds on each
    /// name, this bounds the memory the names take, whatever the workers register.
    public let modelNameCapacity: Int
    /// Model names held now, summed over the workers (a name served by two counts twice).
    public private(set) var modelNameCount = 0

    /// Above the 10 000 fake workers of `switchyard bench-heartbeats`.
    public static let defaultCapacity = 16_384
    public static let defaultModelNameCapacity = 65_536

    public init(capacity: Int = Self.defaultCapacity, modelNameCapacity: Int = Self.defaultModelNameCapacity) {
        self.capacity = max(1, capacity)
        self.modelNameCapacity = max(1, modelNameCapacity)
    }

    public var isEmpty: Bool { entries.isEmpty }
    public var count: Int { entries.count }

    /// Whether `address` may register `status` now: it fits in the room left, counting what it
    /// replaces when the address is already known.
    public func admits(address: String, status: WorkerStatus) -> Bool {
        let replaced = entries[address]
        let workers = entries.count + (replaced == nil ? 1 : 0)
        let names = modelNameCount - (replaced?.status.modelNames.count ?? 0) + status.modelNames.count
        return workers <= capacity && names <= modelNameCapacity
    }

    /// Adds or replaces a worker and returns its published record; nil, changing nothing, when
    /// it does not fit (see ``admits(address:status:)``). The status's numbers are clamped into
    /// ``WorkerStatus``'s bounds.
    @discardableResult
    public mutating func register(
        address: String,
        status: WorkerStatus,
        checkHeartBeat: Bool = true,
        multimodal: Bool = false,
        now: ContinuousClock.Instant
    ) -> WorkerRecord? {
        guard admits(address: address, status: status) else { return nil }
        let entry = Entry(status: status.clamped, checkHeartBeat: checkHeartBeat, multimodal: multimodal, lastHeartbeat: now)
        modelNameCount += status.modelNames.count - (entries.updateValue(entry, forKey: address)?.status.modelNames.count ?? 0)
        return Self.record(address: address, entry: entry, now: now)
    }

    public mutating func heartbeat(
        address: String,
        queueLength: Int,
        state: WorkerState? = nil,
        activity: WorkerActivity? = nil,
        stream: UInt64? = nil,
        now: ContinuousClock.Instant
    ) -> HeartbeatOutcome {
        guard var entry = entries[address] else { return .unknown }
        let before = entry.status
        entry.status.queueLength = WorkerStatus.clampedQueueLength(queueLength)
        if let state {
            let contradictsOperator = entry.operatorStateSince.map { now - $0 < Self.operatorStateGrace } ?? false
            if state == entry.status.state {
                entry.operatorStateSince = nil
            } else if !contradictsOperator {
                entry.status.state = state
                entry.operatorStateSince = nil
            }
        }
        entry.activity = activity?.clamped
        entry.beatStream = stream
        entry.lastHeartbeat = now
        entries[address] = entry
        return entry.status == before ? .refreshed : .changed(Self.record(address: address, entry: entry, now: now))
    }

    /// Sets a worker's state (an operator's drain); returns the published record, or nil if unknown.
    public mutating func setState(_ state: WorkerState, of address: String, now: ContinuousClock.Instant) -> WorkerRecord? {
        guard var entry = entries[address] else { return nil }
        entry.status.state = state
        entry.operatorStateSince = now
        entries[address] = entry
        return Self.record(address: address, entry: entry, now: now)
    }

    /// Removes a worker; returns whether it was registered.
    @discardableResult
    public mutating func remove(address: String) -> Bool {
        guard let removed = entries.removeValue(forKey: address) else { return false }
        modelNameCount -= removed.status.modelNames.count
        return true
    }

    /// Removes those of `addresses` whose last beat came over `stream`, which broke, and returns
    /// them. A worker that has since beaten another way (a new stream after a reconnect) stays.
    public mutating func removeBeatenOver(_ stream: UInt64, addresses: some Sequence<String>) -> [String] {
        let gone = addresses.filter { entries[$0]?.beatStream == stream }
        for address in gone { remove(address: address) }
        return gone
    }

    /// Removes every heartbeat-checked worker silent for longer than `expiry` and returns their addresses.
    public mutating func removeExpired(now: ContinuousClock.Instant, expiry: Duration) -> [String] {
        let expired = entries.compactMap { address, entry in
            entry.checkHeartBeat && now - entry.lastHeartbeat > expiry ? address : nil
        }
        for address in expired { remove(address: address) }
        return expired
    }

    public func records(now: ContinuousClock.Instant) -> [WorkerRecord] {
        entries.map { Self.record(address: $0.key, entry: $0.value, now: now) }
    }

    /// Sorted union of the models served, optionally only of language (false) or multimodal (true) workers.
    public func modelNames(multimodal: Bool? = nil) -> [String] {
        var names = Set<String>()
        for entry in entries.values where multimodal == nil || entry.multimodal == multimodal {
            names.formUnion(entry.status.modelNames)
        }
        return names.sorted()
    }

    /// FastChat's `/worker_get_status` of a controller: the sum over its workers.
    ///
    /// Entries hold clamped statuses (``register(address:status:checkHeartBeat:multimodal:now:)``
    /// and heartbeats clamp), and the sums saturate: the answer stays finite and never traps.
    public var aggregateStatus: WorkerStatus {
        var speed = 0.0
        var queueLength = 0
        for entry in entries.values {
            speed = min(speed + entry.status.speed, Double.greatestFiniteMagnitude)
            let (sum, overflow) = queueLength.addingReportingOverflow(entry.status.queueLength)
            queueLength = overflow ? .max : sum
        }
        return WorkerStatus(modelNames: modelNames(), speed: speed, queueLength: queueLength)
    }

    /// FastChat's `/get_worker_address`: picks a ready worker for `model`, or nil.
    ///
    /// Like FastChat, the pick counts against the worker's queue until its next heartbeat overwrites
    /// it, so back-to-back callers are spread instead of all landing on the same worker.
    public mutating func pickWorker(
        for model: String,
        policy: inout some DispatchPolicy,
        using random: inout some RandomNumberGenerator
    ) -> String? {
        let addresses = entries.compactMap { address, entry in
            entry.status.modelNames.contains(model) && entry.status.state != .draining ? address : nil
        }
        let candidates = addresses.map { address in
            let status = entries[address]!.status
            return DispatchCandidate(address: address, speed: status.speed, reportedQueue: status.queueLength)
        }
        guard let index = policy.choose(from: candidates, for: RoutingRequest(model: model), using: &random) else { return nil }
        let address = addresses[index]
        // Saturates at the bound instead of overflowing on a worker that reported the most.
        let queue = entries[address]!.status.queueLength
        entries[address]!.status.queueLength = queue < WorkerStatus.maxQueueLength ? queue + 1 : WorkerStatus.maxQueueLength
        return address
    }

    static func record(address: String, entry: Entry, now: ContinuousClock.Instant) -> WorkerRecord {
        let age = now - entry.lastHeartbeat
        return WorkerRecord(
            address: address,
            models: entry.status.modelNames,
            speed: entry.status.speed,
            queueLength: entry.status.queueLength,
            state: entry.status.state ?? .ready,
            api: entry.status.api,
            limitConcurrency: entry.status.limitConcurrency,
            checkHeartBeat: entry.checkHeartBeat,
            multimodal: entry.multimodal,
            lastHeartbeatAgeSeconds: max(0, Double(age.components.seconds) + Double(age.components.attoseconds) / 1e18),
            activity: entry.activity,
            controlAddress: entry.status.controlAddress
        )
    }
}
