import AsyncHTTPClient
import Foundation
import NIOCore
import SwitchyardCore
import Testing

/// What clients can do wrong on purpose (duplicate keys, hanging up, broken framing) must neither
/// get past a key's limits nor show up as the server's failures, and workers that depart must not
/// stay in the metrics.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct ClientMisbehaviourTests {
    static func bearer(_ key: String) -> [String: String] { ["authorization": "Bearer \(key)"] }

    @Test func duplicateKeysAreRefusedEverywhereAClientBodyIsRead() async throws {
        let keysFile = SwitchyardProcess.logDirectory.appendingPathComponent("keys-\(UUID().uuidString.prefix(8)).txt")
        try "sk-allowed-only-0001 allowed\n".write(to: keysFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: keysFile) }
        let controllerProcess = try SwitchyardProcess(
            "controller", ["controller", "--port", "0", "--gateway-port", "0", "--api-keys-file", keysFile.path]
        )
        let controller = try await controllerProcess.url(of: "controller")
        let gateway = try await controllerProcess.url(of: "gateway")
        let allowed = try CoreLoopTests.startWorker(controller: controller, model: "allowed", name: "allowed")
        let secret = try CoreLoopTests.startWorker(controller: controller, model: "secret", name: "secret")
        _ = try await allowed.url(of: "worker")
        let secretWorker = try await secret.url(of: "worker")
        let key = Self.bearer("sk-allowed-only-0001")
        try await eventually("the gateway routes to both models") {
            try await HTTP.post(gateway + "/v1/chat/completions", json: HTTP.chatBody(model: "allowed"), headers: key).status == 200
        }

        let messages = #""messages":[{"role":"user","content":"hi"}]"#
        let bodies = [
            (#"{"model":"allowed","model":"secret",\#(messages)}"#, "model"),
            (#"{"model":"allowed","mo\u0064el":"secret",\#(messages)}"#, "model"),
            (#"{"mo\u0064el":"secret","model":"allowed",\#(messages)}"#, "model"),
            (#"{"model":"allowed","messages":[{"role":"user","content":"hi","role":"system"}]}"#, "role"),
            (#"{"model":"allowed",\#(messages),"response_format":{"type":"text","json_schema":{"a":1,"a":2}}}"#, "a"),
        ]
        for (body, duplicated) in bodies {
            let reply = try await HTTP.post(gateway + "/v1/chat/completions", json: body, headers: key)
            #expect(reply.status == 400, "\(body): \(reply.text)")
            let error = try reply.decode(OpenAIError.Body.self).error
            #expect(error.type == "invalid_request_error")
            #expect(error.message.contains("'\(duplicated)'"), "\(error.message)")
        }
        // Workers can be reached without a gateway: they refuse it too.
        let direct = try await HTTP.post(secretWorker + "/v1/chat/completions", json: bodies[0].0)
        #expect(direct.status == 400, "\(direct.text)")
        // And so do the controller's endpoints that read JSON bodies.
        let registration = #"{"worker_name":"http://127.0.0.1:9","worker_name":"http://127.0.0.1:10","check_heart_beat":true,"worker_status":{"model_names":["x"],"speed":1,"queue_length":0}}"#
        let registered = try await HTTP.post(controller + "/register_worker", json: registration)
        #expect(registered.status == 400, "\(registered.text)")
        #expect(registered.text.contains("worker_name"))
        // The same request without the duplicate still goes through.
        #expect(try await HTTP.post(gateway + "/v1/chat/completions", json: #"{"model":"allowed",\#(messages)}"#, headers: key).status == 200)
    }

    @Test func aDepartedWorkerLeavesTheMetrics() async throws {
        let controllerProcess = try CoreLoopTests.startController()
        let controller = try await controllerProcess.url(of: "controller")
        let gateway = try await controllerProcess.url(of: "gateway")
        let staying = try CoreLoopTests.startWorker(controller: controller, name: "staying")
        let leaving = try CoreLoopTests.startWorker(controller: controller, name: "leaving")
        let stayingAddress = try await staying.url(of: "worker")
        let leavingAddress = try await leaving.url(of: "worker")
        try await CoreLoopTests.waitForWorkers(controller, count: 2)
        // Enough requests that both workers served some: each has its request series.
        try await eventually("both workers have request series") {
            _ = try await HTTP.post(gateway + "/v1/chat/completions", json: HTTP.chatBody(model: "sim-model"))
            let metrics = try await HTTP.get(gateway + "/metrics").text
            return Self.requestSeries(in: metrics, worker: stayingAddress) > 0 && Self.requestSeries(in: metrics, worker: leavingAddress) > 0
        }

        leaving.signal(SIGTERM)
        #expect(try await leaving.exitStatus() == 0)
        try await eventually("the departed worker's series are gone") {
            let metrics = try await HTTP.get(gateway + "/metrics").text
            return !metrics.contains(leavingAddress) && Self.requestSeries(in: metrics, worker: stayingAddress) > 0
        }
    }

    @Test func hangUpsAndBrokenFramingAreTheClientsNotServerErrors() async throws {
        let controllerProcess = try CoreLoopTests.startController()
        let controller = try await controllerProcess.url(of: "controller")
        let gateway = try await controllerProcess.url(of: "gateway")
        let worker = try CoreLoopTests.startWorker(controller: controller, extra: ["--limit-concurrency", "1"])
        _ = try await worker.url(of: "worker")
        try await CoreLoopTests.waitForWorkers(controller, count: 1)
        try await eventually("the gateway routes") {
            try await HTTP.post(gateway + "/v1/chat/completions", json: HTTP.chatBody(model: "sim-model")).status == 200
        }
        let port = try #require(URL(string: gateway)?.port)
        let stalled = #"{"model":"sim-model","messages":[{"role":"user","content":"hi"}],"switchyard_sim":{"stall":3}}"#

        // One request holds the worker's only slot; the next waits in the gateway's queue, and its client hangs up.
        async let holding = HTTP.post(gateway + "/v1/chat/completions", json: stalled)
        try await Task.sleep(for: .milliseconds(300))
        let head = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nContent-Type: application/json\r\n"
        do {
            let queued = try RawConnection(port: port)
            queued.send(head + "Content-Length: \(stalled.utf8.count)\r\n\r\n\(stalled)")
            try await Task.sleep(for: .milliseconds(500))
        }
        // A body cut short by the client leaving, and a chunked body whose framing is broken.
        do {
            let cut = try RawConnection(port: port)
            cut.send(head + "Content-Length: 1000\r\n\r\n{\"model\":")
            try await Task.sleep(for: .milliseconds(200))
        }
        let broken = try RawConnection(port: port)
        broken.send(head + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n")
        let framing = try await broken.read(until: "\r\n\r\n", timeout: .seconds(10))
        #expect(framing.hasPrefix("HTTP/1.1 400"), "\(framing)")
        #expect(try await holding.status == 200)

        try await eventually("the hang-up is counted as 499") {
            try await HTTP.get(gateway + "/metrics").text.contains(#"status="499""#)
        }
        let metrics = try await HTTP.get(gateway + "/metrics").text
        let serverErrors = metrics.split(separator: "\n").filter { $0.hasPrefix("switchyard_gateway_requests_total") && $0.contains(#"status="5"#) }
        #expect(serverErrors.isEmpty, "\(serverErrors)")
        #expect(!controllerProcess.log.contains(#""level":"error""#), "\(controllerProcess.log)")
    }

    /// 40 requests with 2 MiB model names and 1 000 distinct made-up ones: the gateway's
    /// statistics and metrics stay small (they were 252 MB).
    @Test func hugeAndManyModelNamesLeaveSmallTables() async throws {
        let controllerProcess = try CoreLoopTests.startController()
        let gateway = try await controllerProcess.url(of: "gateway")
        let huge = String(repeating: "m", count: 2 << 20)
        for index in 0..<40 {
            let reply = try await HTTP.post(gateway + "/v1/chat/completions", json: HTTP.chatBody(model: "\(index)\(huge)"))
            #expect(reply.status == 400)
            #expect(reply.body.readableBytes < 4096)
        }
        for index in 0..<1_000 {
            let name = "made-up-\(index)-" + String(repeating: "x", count: 200)
            #expect(try await HTTP.post(gateway + "/v1/chat/completions", json: HTTP.chatBody(model: name)).status == 404)
        }
        let stats = try await HTTP.get(gateway + "/api/v1/gateway/stats")
        #expect(stats.status == 200)
        #expect(stats.body.readableBytes < 256 << 10, "\(stats.body.readableBytes) bytes of statistics")
        let metrics = try await HTTP.get(gateway + "/metrics")
        #expect(metrics.body.readableBytes < 256 << 10, "\(metrics.body.readableBytes) bytes of metrics")
        #expect(!metrics.text.contains("made-up-"))
    }

    /// A worker failing every third request makes the gateway warn each time (never three in a
    /// row, so its breaker stays closed): the warnings written and the ones counted in summary
    /// lines add up to the failures, and no clock second holds more than the 10 lines of each of
    /// the two limiter windows it can overlap.
    @Test func repeatedWarningsAreRateLimitedAndSummarised() async throws {
        let controllerProcess = try SwitchyardProcess(
            "controller", ["controller", "--port", "0", "--gateway-port", "0", "--max-retries", "0"]
        )
        let controller = try await controllerProcess.url(of: "controller")
        let gateway = try await controllerProcess.url(of: "gateway")
        let worker = try CoreLoopTests.startWorker(controller: controller)
        _ = try await worker.url(of: "worker")
        try await eventually("the gateway routes") {
            try await HTTP.post(gateway + "/v1/chat/completions", json: HTTP.chatBody(model: "sim-model")).status == 200
        }
        let failing = #"{"model":"sim-model","messages":[{"role":"user","content":"hi"}],"switchyard_sim":{"fail":500}}"#
        var failures = 0
        for _ in 0..<150 {
            for _ in 0..<2 { _ = try await HTTP.post(gateway + "/v1/chat/completions", json: HTTP.chatBody(model: "sim-model")) }
            if try await HTTP.post(gateway + "/v1/chat/completions", json: failing).status == 500 { failures += 1 }
        }
        // A failure after the last second is over brings that second's summary.
        try await Task.sleep(for: .milliseconds(1100))
        if try await HTTP.post(gateway + "/v1/chat/completions", json: failing).status == 500 { failures += 1 }
        #expect(failures == 151)

        let lines = controllerProcess.log.split(separator: "\n")
        let written = lines.filter { $0.contains(#""msg":"worker request failed""#) }
        let summaries = lines.filter { $0.contains(#""message":"worker request failed""#) && $0.contains(#""msg":"suppressed "#) }
        let suppressed = summaries.compactMap { line in
            line.firstRange(of: #""suppressed":"#).flatMap { Int(line[$0.upperBound...].prefix { $0.isNumber }) }
        }
        #expect(written.count + suppressed.reduce(0, +) == failures)
        // Written lines per second of their timestamps (`"ts":"…T09:10:00.123Z"`, to the second).
        let seconds = Dictionary(grouping: written.map { line -> Substring in
            guard let start = line.firstRange(of: #""ts":""#)?.upperBound else { return "" }
            return line[start...].prefix(19)
        }) { $0 }
        #expect(seconds.values.allSatisfy { $0.count <= 20 }, "\(seconds.mapValues(\.count))")
    }

    /// The number of `switchyard_gateway_requests_total` series of a worker.
    static func requestSeries(in metrics: String, worker: String) -> Int {
        metrics.split(separator: "\n").filter { $0.hasPrefix("switchyard_gateway_requests_total") && $0.contains(#"worker="\#(worker)""#) }.count
    }
}
