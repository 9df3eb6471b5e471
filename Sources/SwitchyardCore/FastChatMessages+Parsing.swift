import NIOCore

extension FastChat.HeartBeat {
    /// Reads a beat with the one-pass parser rather than `JSONDecoder`, whose fixed cost per
    /// document was a tenth of the controller's CPU under 10 000 beating workers. Accepts and
    /// refuses what the synthesised `Decodable` does (unknown fields pass, `null` is absent).
    public init(parsing buffer: ByteBuffer) throws {
        let parsed: JSONValue?
        do {
            parsed = try JSONValue(parsing: buffer)
        } catch let duplicate as JSONDuplicateKeyError {
            throw OpenAIError.badRequest(duplicate.message)
        } catch {
            parsed = nil
        }
        guard let fields = parsed?.object else {
            throw OpenAIError.badRequest("Invalid JSON body: a heartbeat must be a JSON object.")
        }
        func field<Value>(_ key: CodingKeys, _ read: (JSONValue) -> Value?, _ expected: String) throws -> Value? {
            guard let value = fields[key.stringValue], value != .null else { return nil }
            guard let read = read(value) else {
                throw OpenAIError.badRequest("Invalid JSON body: \(key.stringValue) must be \(expected).")
            }
            return read
        }
        guard let workerName = try field(.workerName, \.string, "a string"),
            let queueLength = try field(.queueLength, \.integer, "an integer")
        else {
            throw OpenAIError.badRequest("Invalid JSON body: a heartbeat needs worker_name and queue_length.")
        }
        self.init(
            workerName: workerName,
            queueLength: queueLength,
            state: try field(.state, { $0.string.flatMap(WorkerState.init(rawValue:)) }, "ready or draining"),
            activity: try field(.activity, WorkerActivity.init(json:), "an object of three integers")
        )
    }
}

extension WorkerActivity {
    init?(json: JSONValue) {
        guard let fields = json.object,
            let running = fields[CodingKeys.running.stringValue]?.integer,
            let requests = fields[CodingKeys.requestsLastMinute.stringValue]?.integer,
            let errors = fields[CodingKeys.errorsLastMinute.stringValue]?.integer
        else { return nil }
        self.init(running: running, requestsLastMinute: requests, errorsLastMinute: errors)
    }
}
