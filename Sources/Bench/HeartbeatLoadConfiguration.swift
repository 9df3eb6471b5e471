/// A crowd of fake workers beating at a controller, to measure what registration and heartbeats cost it.
public struct HeartbeatLoadConfiguration: Sendable {
    /// The controller's base URL.
    public var controllerURL: String
    public var workers: Int
    /// Each fake worker beats once per interval; the beats of all workers are spread evenly over it.
    public var interval: Duration
    public var duration: Duration
    /// Requests in flight at once (one connection each): enough to keep up, few enough not to flood.
    /// Streamed, the number of beat streams, each carrying its share of the workers.
    public var connections: Int
    /// Beats go over the controller's heartbeat streams, as Switchyard workers send them; false:
    /// one POST `/receive_heart_beat` each, as FastChat's workers send them.
    public var streamed: Bool
    /// The model every fake worker claims to serve.
    public var model: String
    /// The controller's `--registration-token`, when it has one.
    public var registrationToken: String?

    public init(
        controllerURL: String,
        workers: Int = 10_000,
        interval: Duration = .seconds(1),
        duration: Duration = .seconds(30),
        connections: Int = 32,
        model: String = "heartbeat-load",
        registrationToken: String? = nil,
        streamed: Bool = true
    ) {
        self.controllerURL = controllerURL
        self.workers = workers
        self.interval = interval
        self.duration = duration
        self.connections = connections
        self.model = model
        self.registrationToken = registrationToken
        self.streamed = streamed
    }

    /// A fake worker's address: the discard port on loopback, so a gateway that probes it is refused at once.
    public func address(of worker: Int) -> String {
        "http://127.0.0.1:9/heartbeat-load/\(worker)"
    }

    /// When worker `worker` beats for the `round`th time, counted from the start.
    public func due(worker: Int, round: Int) -> Duration {
        interval * round + interval * Double(worker) / Double(workers)
    }
}
