import Gateway
import SwitchyardCore

/// What `switchyard status` shows and `--json` prints: the controller's records (every field of
/// `GET /api/v1/workers`) with the gateway's view merged in, and a summary per model.
struct StatusReport: Encodable {
    struct Worker: Encodable {
        var record: WorkerRecord
        /// The gateway's circuit breaker: closed, open or half_open; nil without a gateway.
        var circuit: String?
        var gatewayInFlight: Int?
        /// One word for the table: ready, draining, unhealthy (heartbeats late), circuit open or half open.
        var condition: String

        var address: String { record.address }
        var models: [String] { record.models }
        var queueLength: Int { record.queueLength }
        var limitConcurrency: Int? { record.limitConcurrency }
        var activity: WorkerActivity? { record.activity }
        var lastHeartbeatAgeSeconds: Double { record.lastHeartbeatAgeSeconds }

        enum CodingKeys: String, CodingKey {
            case circuit, condition
            case gatewayInFlight = "gateway_in_flight"
        }

        func encode(to encoder: any Encoder) throws {
            try record.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encodeIfPresent(circuit, forKey: .circuit)
            try container.encodeIfPresent(gatewayInFlight, forKey: .gatewayInFlight)
            try container.encode(condition, forKey: .condition)
        }
    }

    struct Model: Encodable {
        var name: String
        var workers: Int
        var ready: Int
    }

    /// Heartbeats this late mean a worker in trouble, well before the controller expires it.
    static let lateHeartbeatSeconds = 8.0

    var workers: [Worker]
    var models: [Model]

    init(workers records: [WorkerRecord], gatewayView: [GatewayWorkerList.Worker]?) {
        let byAddress = Dictionary((gatewayView ?? []).map { ($0.address, $0) }, uniquingKeysWith: { first, _ in first })
        workers = records.sorted { $0.address < $1.address }.map { record in
            let seen = byAddress[record.address]
            let condition =
                switch (seen?.circuit, record.state) {
                case ("open", _): "circuit open"
                case ("half_open", _): "half open"
                case (_, .draining): "draining"
                case _ where record.checkHeartBeat && record.lastHeartbeatAgeSeconds > Self.lateHeartbeatSeconds: "unhealthy"
                default: "ready"
                }
            return Worker(record: record, circuit: seen?.circuit, gatewayInFlight: seen?.inFlight, condition: condition)
        }
        var models: [String: Model] = [:]
        for worker in workers {
            for name in worker.models {
                models[name, default: Model(name: name, workers: 0, ready: 0)].workers += 1
                if worker.condition == "ready" { models[name]?.ready += 1 }
            }
        }
        self.models = models.values.sorted { $0.name < $1.name }
    }
}

