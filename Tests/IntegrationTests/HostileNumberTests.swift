import Foundation
import HTTPTypes
import SwitchyardCore
import Testing

/// Issue 12's crash values, sent through real processes: each once killed a daemon.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct HostileNumberTests {
    /// Registers `server` as an OpenAI-speaking worker of `model` that needs no heartbeats.
    static func register(_ server: LoopbackServer, model: String, with controller: String) async throws {
        let registration = #"{"worker_name":"\#(server.url)","check_heart_beat":false,"#
            + #""worker_status":{"model_names":["\#(model)"],"speed":1,"queue_length":0,"api":"openai"}}"#
        let reply = try await HTTP.post(controller + "/register_worker", json: registration)
        #expect(reply.status == 200, "\(reply.text)")
    }

    static func retryAfter(of reply: HTTP.Reply) -> (seconds: Int, milliseconds: Int)? {
        guard let seconds = reply.headers["retry-after"].flatMap({ Int($0) }),
            let milliseconds = reply.headers["retry-after-ms"].flatMap({ Int($0) })
        else { return nil }
        return (seconds, milliseconds)
    }

    @Test func workersAbsurdRetryAdviceReachesClientsAsAnHour() async throws {
        let controllerProcess = try CoreLoopTests.startController()
        let controller = try await controllerProcess.url(of: "controller")
        let gateway = try await controllerProcess.url(of: "gateway")
        let advice: [(String, String)] = [
            ("retry-after", "inf"), ("retry-after", "1e300"), ("retry-after", "nan"), ("retry-after-ms", "1e300"),
        ]
        var servers: [LoopbackServer] = []
        for (index, (name, value)) in advice.enumerated() {
            let server = try await LoopbackServer.start { _ in
                .init(
                    status: .serviceUnavailable,
                    headers: [HTTPField.Name(name)!: value],
                    body: #"{"error":{"message":"busy","type":"server_error","param":null,"code":null}}"#
                )
            }
            servers.append(server)
            try await Self.register(server, model: "rogue-\(index)", with: controller)
        }
        try await eventually("the gateway knows the rogue workers") {
            try await HTTP.get(gateway + "/v1/models").text.contains("rogue-3")
        }
        for (index, (name, value)) in advice.enumerated() {
            let reply = try await HTTP.post(gateway + "/v1/chat/completions", json: HTTP.chatBody(model: "rogue-\(index)"))
            #expect(reply.status == 503, "\(name): \(value)")
            #expect(servers[index].hits >= 1)
            let pause = Self.retryAfter(of: reply)
            if value == "nan" {
                // No usable advice: the gateway's own.
                #expect(pause.map { $0.seconds <= 10 } == true)
            } else {
                #expect(pause?.seconds == 3600, "\(name): \(value) → \(reply.headers)")
                #expect(pause?.milliseconds == 3_600_000)
            }
        }
        // A worker's 429 advice is passed on rewritten, not copied.
        let limiting = try await LoopbackServer.start { _ in
            .init(
                status: .tooManyRequests, headers: [.retryAfter: "1e300", .shouldRetry: "maybe\u{7f}"],
                body: #"{"error":{"message":"slow down","type":"requests","param":null,"code":"rate_limit_exceeded"}}"#
            )
        }
        try await Self.register(limiting, model: "limiting", with: controller)
        try await eventually("the gateway knows the limiting worker") {
            try await HTTP.get(gateway + "/v1/models").text.contains("limiting")
        }
        let limited = try await HTTP.post(gateway + "/v1/chat/completions", json: HTTP.chatBody(model: "limiting"))
        #expect(limited.status == 429)
        #expect(Self.retryAfter(of: limited)?.seconds == 3600)
        #expect(limited.headers["x-should-retry"] == nil)
        #expect(controllerProcess.isRunning)
        #expect(try await HTTP.get(gateway + "/v1/models").status == 200)
        #expect(try await HTTP.get(gateway + "/health").status == 200)
    }

    @Test func upstreamsAbsurdRetryAfterReachesClientsAsAnHour() async throws {
        let upstream = try await LoopbackServer.start { _ in
            .init(
                status: .tooManyRequests, headers: [.retryAfter: "99999999999999999"],
                body: #"{"error":{"message":"rate limited","type":"requests","param":null,"code":"rate_limit_exceeded"}}"#
            )
        }
        let controllerProcess = try CoreLoopTests.startController(gateway: false)
        let controller = try await controllerProcess.url(of: "controller")
        let workerProcess = try CoreLoopTests.startWorker(controller: controller, extra: ["--backend", "openai", "--upstream", upstream.url])
        let worker = try await workerProcess.url(of: "worker")
        for _ in 0..<3 {
            let reply = try await HTTP.post(worker + "/v1/chat/completions", json: HTTP.chatBody(model: "sim-model"))
            #expect(reply.status == 429, "\(reply.text)")
            #expect(Self.retryAfter(of: reply)?.seconds == 3600)
        }
        #expect(upstream.hits >= 3)
        #expect(workerProcess.isRunning)
    }

    @Test func simulatorsAbsurdSettingsAreRefusedOrCut() async throws {
        let controllerProcess = try CoreLoopTests.startController()
        let controller = try await controllerProcess.url(of: "controller")
        let gateway = try await controllerProcess.url(of: "gateway")
        let workerProcess = try CoreLoopTests.startWorker(controller: controller)
        let worker = try await workerProcess.url(of: "worker")
        try await CoreLoopTests.waitForWorkers(controller, count: 1)
        try await eventually("the gateway routes to the worker") {
            try await HTTP.post(gateway + "/v1/chat/completions", json: HTTP.chatBody(model: "sim-model")).status == 200
        }
        let chat = #"{"model":"sim-model","messages":[{"role":"user","content":"hi"}],"#
        for retryAfter in ["1e300", "1e16"] {
            let reply = try await HTTP.post(gateway + "/v1/chat/completions", json: chat + #""switchyard_sim":{"fail":429,"retry_after":\#(retryAfter)}}"#)
            #expect(reply.status == 429)
            #expect(Self.retryAfter(of: reply)?.seconds == 3600)
        }
        for target in [gateway, worker] {
            let stall = try await HTTP.post(target + "/v1/chat/completions", json: chat + #""switchyard_sim":{"stall":1e300}}"#)
            #expect(stall.status == 400, "\(stall.text)")
            let dimensions = try await HTTP.post(target + "/v1/embeddings", json: #"{"model":"sim-model","input":"x","dimensions":999999999999999}"#)
            #expect(dimensions.status == 400, "\(dimensions.text)")
        }
        #expect(controllerProcess.isRunning)
        #expect(workerProcess.isRunning)
        #expect(try await HTTP.post(gateway + "/v1/chat/completions", json: HTTP.chatBody(model: "sim-model")).status == 200)
    }

    @Test func workerReachedDirectlyKeepsTheGatewaysLimits() async throws {
        let controllerProcess = try CoreLoopTests.startController(gateway: false)
        let controller = try await controllerProcess.url(of: "controller")
        let workerProcess = try CoreLoopTests.startWorker(controller: controller)
        let worker = try await workerProcess.url(of: "worker")
        let refusals = [
            (#"{"model":"sim-model","n":1000,"messages":[{"role":"user","content":"x"}]}"#, "n"),
            (#"{"model":""# + String(repeating: "m", count: 2 << 20) + #"","messages":[{"role":"user","content":"x"}]}"#, "model"),
        ]
        for (body, param) in refusals {
            let reply = try await HTTP.post(worker + "/v1/chat/completions", json: body)
            #expect(reply.status == 400)
            #expect(((try reply.json() as? [String: Any])?["error"] as? [String: Any])?["param"] as? String == param)
            #expect(reply.body.readableBytes < 1000, "the refusal does not echo the request")
        }
        let prompts = #"{"model":"sim-model","n":128,"prompt":["# + Array(repeating: #""p""#, count: 1000).joined(separator: ",") + "]}"
        #expect(try await HTTP.post(worker + "/v1/completions", json: prompts).status == 400)
        for input in [#"[1.5]"#, #"[["x"]]"#] {
            #expect(try await HTTP.post(worker + "/v1/embeddings", json: #"{"model":"sim-model","input":\#(input)}"#).status == 400)
        }
        #expect(workerProcess.isRunning)
    }
}
