/// What a heartbeat load run achieved, from the load generator's side; the controller's CPU and
/// memory are read from outside (`Scripts/bench`), since the generator shares the machine.
public struct HeartbeatLoadReport: Codable, Sendable, Equatable {
    public var workers: Int
    public var registered: Int
    public var sent: Int
    /// Transport errors and non-200 answers; streamed, the streams that broke or were refused.
    public var failed: Int
    /// Beats answered `exist: false`; the fake worker registers again, as a real one does.
    public var forgotten: Int
    public var seconds: Double
    public var beatsPerSecond: Double
    public var targetBeatsPerSecond: Double
    /// The generator's own CPU use, in cores.
    public var generatorCPUCores: Double

    public init(workers: Int, registered: Int, sent: Int, failed: Int, forgotten: Int, seconds: Double, targetBeatsPerSecond: Double, cpuSeconds: Double) {
        self.workers = workers
        self.registered = registered
        self.sent = sent
        self.failed = failed
        self.forgotten = forgotten
        self.seconds = seconds
        beatsPerSecond = seconds > 0 ? Double(sent) / seconds : 0
        self.targetBeatsPerSecond = targetBeatsPerSecond
        generatorCPUCores = seconds > 0 ? cpuSeconds / seconds : 0
    }

    enum CodingKeys: String, CodingKey {
        case workers, registered, sent, failed, forgotten, seconds
        case beatsPerSecond = "beats_per_second"
        case targetBeatsPerSecond = "target_beats_per_second"
        case generatorCPUCores = "generator_cpu_cores"
    }
}
