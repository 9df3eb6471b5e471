import SwitchyardCore

/// The body of the gateway's `GET /api/v1/gateway/workers`, which `switchyard status` reads too.
public struct GatewayWorkerList: Codable, Sendable {
    public struct Worker: Codable, Sendable {
        public var address: String
        public var models: [String]
        public var state: WorkerState
        /// `closed` (healthy), `open` (avoided) or `half_open` (one trial allowed).
        public var circuit: String
        public var inFlight: Int

        enum CodingKeys: String, CodingKey {
            case address, models, state, circuit
            case inFlight = "in_flight"
        }
    }

    public var workers: [Worker]
    /// Requests queued because every worker of their model was full.
    public var waiting: Int

    init(_ directory: DirectoryState, waiting: Int) {
        self.waiting = waiting
        workers = directory.workers.values.sorted { $0.address < $1.address }.map { record in
            let circuit: String =
                switch directory.breakers[record.address]?.state ?? .closed {
                case .closed: "closed"
                case .open: "open"
                case .halfOpen: "half_open"
                }
            return Worker(
                address: record.address,
                models: record.models,
                state: record.state,
                circuit: circuit,
                inFlight: directory.inFlight[record.address, default: 0]
            )
        }
    }
}
