/// What a load test measured. Built from samples by a pure function, so the statistics are tested
/// without a server.
public struct BenchReport: Codable, Sendable, Equatable {
    /// p50, p90, p99 (and mean) of one quantity, in milliseconds.
    public struct Distribution: Codable, Sendable, Equatable {
        public var p50: Double
        public var p90: Double
        public var p99: Double
        public var mean: Double
        public var count: Int

        public init(millisecondsOf samples: [Duration]) {
            let values = samples.map { Double($0.components.seconds) * 1000 + Double($0.components.attoseconds) / 1e15 }.sorted()
            count = values.count
            mean = values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
            p50 = Self.percentile(values, 0.50)
            p90 = Self.percentile(values, 0.90)
            p99 = Self.percentile(values, 0.99)
        }

        /// Nearest-rank percentile of sorted values (0 for none).
        static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
            guard !sorted.isEmpty else { return 0 }
            let rank = Int((fraction * Double(sorted.count)).rounded(.up))
            return sorted[min(max(rank, 1), sorted.count) - 1]
        }
    }

    public var requests: Int
    public var succeeded: Int
    /// Failures by HTTP status; `"transport"` for connection errors and broken streams.
    public var errors: [String: Int]
    public var seconds: Double
    public var requestsPerSecond: Double
    public var outputTokens: Int
    public var outputTokensPerSecond: Double
    public var latency: Distribution
    /// Streams only: request sent → first content token.
    public var timeToFirstToken: Distribution?
    /// Streams only: gaps between content chunks.
    public var interTokenLatency: Distribution?
    /// The load generator's own CPU use, in cores: near the machine's core count means it was the bottleneck.
    public var benchCPUCores: Double

    enum CodingKeys: String, CodingKey {
        case requests, succeeded, errors, seconds, latency
        case requestsPerSecond = "requests_per_second"
        case outputTokens = "output_tokens"
        case outputTokensPerSecond = "output_tokens_per_second"
        case timeToFirstToken = "time_to_first_token_ms"
        case interTokenLatency = "inter_token_latency_ms"
        case benchCPUCores = "bench_cpu_cores"
    }
}

/// One measured request.
public struct BenchSample: Sendable, Equatable {
    /// nil on success; otherwise the HTTP status or `"transport"`.
    public var error: String?
    public var latency: Duration
    public var timeToFirstToken: Duration?
    public var tokenGaps: [Duration]
    public var outputTokens: Int

    public init(error: String? = nil, latency: Duration, timeToFirstToken: Duration? = nil, tokenGaps: [Duration] = [], outputTokens: Int = 0) {
        self.error = error
        self.latency = latency
        self.timeToFirstToken = timeToFirstToken
        self.tokenGaps = tokenGaps
        self.outputTokens = outputTokens
    }
}

extension BenchReport {
    public init(samples: [BenchSample], elapsed: Duration, cpuSeconds: Double, streamed: Bool) {
        let seconds = max(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, 1e-9)
        let successes = samples.filter { $0.error == nil }
        requests = samples.count
        succeeded = successes.count
        errors = samples.compactMap(\.error).reduce(into: [:]) { $0[$1, default: 0] += 1 }
        self.seconds = seconds
        requestsPerSecond = Double(successes.count) / seconds
        outputTokens = successes.reduce(0) { $0 + $1.outputTokens }
        outputTokensPerSecond = Double(outputTokens) / seconds
        latency = Distribution(millisecondsOf: successes.map(\.latency))
        timeToFirstToken = streamed ? Distribution(millisecondsOf: successes.compactMap(\.timeToFirstToken)) : nil
        interTokenLatency = streamed ? Distribution(millisecondsOf: successes.flatMap(\.tokenGaps)) : nil
        benchCPUCores = cpuSeconds / seconds
    }
}
