import AsyncHTTPClient

/// A backend's requests running and waiting, read from its Prometheus `/metrics`.
///
/// A direct-data-plane worker sees none of its backend's traffic, so it reports the load the
/// backend itself exposes: vLLM's, SGLang's and llama.cpp server's gauges are known; a backend
/// without them counts as 0.
public enum BackendLoad {
    /// Gauges whose sum is the queue length, per serving engine.
    static let gauges: Set<Substring> = [
        "vllm:num_requests_running", "vllm:num_requests_waiting",
        "sglang:num_running_reqs", "sglang:num_queue_reqs",
        "llamacpp:requests_processing", "llamacpp:requests_deferred",
    ]

    /// Reads `address`'s `/metrics`; nil when it cannot be read or has no known gauge.
    static func scrape(_ address: String, httpClient: HTTPClient) async -> Int? {
        let request = HTTPClientRequest(url: address + "/metrics")
        guard let response = try? await httpClient.execute(request, timeout: .seconds(2)),
              let body = try? await response.body.collect(upTo: 4 << 20),
              response.status == .ok
        else { return nil }
        return queueLength(prometheus: String(buffer: body))
    }

    /// Sums the known gauges over all their label sets; nil when the text has none of them.
    public static func queueLength(prometheus text: String) -> Int? {
        var total = 0.0
        var found = false
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let name = line.prefix { $0 != "{" && $0 != " " }
            guard gauges.contains(name) else { continue }
            // `name{labels} value [timestamp]`; label values may hold spaces.
            var rest = line.dropFirst(name.count)
            if rest.first == "{", let close = rest.lastIndex(of: "}") { rest = rest[rest.index(after: close)...] }
            guard let value = rest.split(separator: " ").first.flatMap({ Double($0) }) else { continue }
            total += value
            found = true
        }
        return found ? Int(total.rounded()) : nil
    }
}
