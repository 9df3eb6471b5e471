import AsyncHTTPClient
import Foundation
import NIOCore
import SwitchyardCore
import Testing

/// Worker behaviour seen from outside: its backends, its queue, its status.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct WorkerBehaviourTests {
    @Test func openAIBackendRelaysARealUpstreamAndRenamesTheModel() async throws {
        let controllerProcess = try CoreLoopTests.startController()
        let controller = try await controllerProcess.url(of: "controller")
        let gateway = try await controllerProcess.url(of: "gateway")
        // The upstream is a separate OpenAI-compatible server on loopback; here a simulated worker
        // registered under a name no client uses.
        let upstreamProcess = try CoreLoopTests.startWorker(controller: controller, model: "upstream-name", name: "upstream")
        let upstream = try await upstreamProcess.url(of: "worker")
        let proxy = try CoreLoopTests.startWorker(
            controller: controller,
            model: "public-name",
            extra: ["--backend", "openai", "--upstream", upstream, "--upstream-model", "upstream-name"],
            name: "proxy"
        )
        _ = try await proxy.url(of: "worker")
        try await eventually("the gateway lists the proxied model") {
            try await HTTP.get(gateway + "/v1/models").text.contains("\"public-name\"")
        }

        let reply = try await HTTP.post(gateway + "/v1/chat/completions", json: HTTP.chatBody(model: "public-name", content: "relay me"))
        #expect(reply.status == 200)
        let completion = try reply.decode(ChatCompletion.self)
        #expect(completion.model == "upstream-name")
        #expect(completion.choices.first?.message.content?.hasPrefix("relay me") == true)

        let streamed = try await HTTP.post(gateway + "/v1/chat/completions", json: HTTP.chatBody(model: "public-name", content: "relay me", stream: true))
        #expect(streamed.headers["content-type"] == "text/event-stream")
        #expect(streamed.events.last == "[DONE]")
        let text = try streamed.chunks().map(\.text).joined()
        #expect(text == completion.choices.first?.message.content)

        // A 4xx from the upstream reaches the client with its status and body.
        let invalid = try await HTTP.post(gateway + "/v1/chat/completions", json: #"{"model":"public-name","messages":[]}"#)
        #expect(invalid.status == 400)
        #expect(invalid.text.contains("\"messages\""))

        // With the upstream gone the proxy answers 502 in OpenAI's shape, and the gateway,
        // after its retries, takes the broken worker out of rotation (then 503).
        upstreamProcess.signal(SIGKILL)
        _ = try await upstreamProcess.exitStatus()
        let direct = try await HTTP.post(try await proxy.url(of: "worker") + "/v1/chat/completions", json: HTTP.chatBody(model: "public-name"))
        #expect(direct.status == 502)
        #expect(direct.text.contains("\"server_error\""))
        let broken = try await HTTP.post(gateway + "/v1/chat/completions", json: HTTP.chatBody(model: "public-name"))
        #expect([502, 503].contains(broken.status))
        #expect(broken.text.contains("\"server_error\""))
        let health = try await HTTP.get(try await proxy.url(of: "worker") + "/health")
        #expect(health.status == 503)
    }

    @Test func concurrencyLimitQueuesAndHeartbeatsReportTheQueue() async throws {
        let controllerProcess = try CoreLoopTests.startController(gateway: false)
        let controller = try await controllerProcess.url(of: "controller")
        let workerProcess = try CoreLoopTests.startWorker(
            controller: controller,
            model: "queued",
            beat: 0.2,
            extra: ["--limit-concurrency", "1", "--sim-ttft", "2"]
        )
        let worker = try await workerProcess.url(of: "worker")
        try await CoreLoopTests.waitForWorkers(controller, count: 1)

        let requests = (0..<3).map { _ in
            Task { try await HTTP.post(worker + "/v1/chat/completions", json: HTTP.chatBody(model: "queued")) }
        }
        try await eventually(timeout: .seconds(5), "the worker reports one running and two waiting") {
            try await HTTP.post(worker + "/worker_get_status", json: "").decode(WorkerStatus.self).queueLength == 3
        }
        try await eventually(timeout: .seconds(5), "the controller sees the queue through heartbeats") {
            try await HTTP.workers(controller).first?.queueLength == 3
        }
        for request in requests {
            #expect(try await request.value.status == 200)
        }
        #expect(try await HTTP.post(worker + "/worker_get_status", json: "").decode(WorkerStatus.self).queueLength == 0)
        let status = try await HTTP.post(worker + "/worker_get_status", json: "").decode(WorkerStatus.self)
        #expect(status.limitConcurrency == 1)
        #expect(status.modelNames == ["queued"])
    }

    @Test func statusCommandPrintsTableAndJSON() async throws {
        let controllerProcess = try CoreLoopTests.startController(gateway: false)
        let controller = try await controllerProcess.url(of: "controller")
        let workerProcess = try CoreLoopTests.startWorker(controller: controller, model: "listed")
        let worker = try await workerProcess.url(of: "worker")
        try await CoreLoopTests.waitForWorkers(controller, count: 1)

        let table = try await SwitchyardProcess.run(["status", "--controller", controller])
        #expect(table.status == 0)
        #expect(table.output.contains("ADDRESS"))
        #expect(table.output.contains(worker))
        #expect(table.output.contains("listed"))
        #expect(table.output.contains("ready"))

        let json = try await SwitchyardProcess.run(["status", "--controller", controller, "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any]
        let workers = try #require(object?["workers"] as? [[String: Any]])
        #expect(workers.count == 1)
        for key in ["address", "models", "state", "queue_length", "last_heartbeat_age_s"] {
            #expect(workers[0][key] != nil, "missing \(key)")
        }

        let unreachable = try await SwitchyardProcess.run(["status", "--controller", "http://127.0.0.1:9"])
        #expect(unreachable.status != 0)
    }

}
