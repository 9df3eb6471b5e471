/// One message of the controller's watch stream: the full registry once on connect, then every change.
public enum RegistryEvent: Sendable, Equatable {
    /// Every worker the controller knows; `controllerID` changes when the controller restarts.
    case snapshot(controllerID: String, workers: [WorkerRecord])
    case upsert(WorkerRecord)
    case remove(address: String)
}

extension RegistryEvent: Codable {
    enum CodingKeys: String, CodingKey {
        case type
        case controllerID = "controller_id"
        case workers
        case worker
        case address
    }

    enum Kind: String, Codable {
        case snapshot, upsert, remove
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(Kind.self, forKey: .type) {
        case .snapshot:
            self = .snapshot(
                controllerID: try container.decode(String.self, forKey: .controllerID),
                workers: try container.decode([WorkerRecord].self, forKey: .workers)
            )
        case .upsert:
            self = .upsert(try container.decode(WorkerRecord.self, forKey: .worker))
        case .remove:
            self = .remove(address: try container.decode(String.self, forKey: .address))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .snapshot(let controllerID, let workers):
            try container.encode(Kind.snapshot, forKey: .type)
            try container.encode(controllerID, forKey: .controllerID)
            try container.encode(workers, forKey: .workers)
        case .upsert(let worker):
            try container.encode(Kind.upsert, forKey: .type)
            try container.encode(worker, forKey: .worker)
        case .remove(let address):
            try container.encode(Kind.remove, forKey: .type)
            try container.encode(address, forKey: .address)
        }
    }
}
