import SwitchyardCore

/// The body of the gateway's `GET /api/v1/gateway/workers`.
struct GatewayWorkerList: Encodable {
    struct Worker: Encodable {
        var address: String
        var models: [String]
        var state: WorkerState
        /// `closed` (healthy), `open` (avoided) or `half_open` (one trial allowed).
        var circuit: String
        var inFlight: Int

        enum CodingKeys: String, CodingKey {
            case address, models, state, circuit
            case inFlight = "in_flight"
        }
    }

    var workers: [Worker]
    /// Requests queued because every worker of their model was full.
    var waiting: Int

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
