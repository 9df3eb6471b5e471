import AsyncHTTPClient
import Foundation
import NIOCore
import SwitchyardCore
import Testing

/// Real controller, worker and gateway processes on loopback ports; nothing of ours is mocked.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct CoreLoopTests {
    static func startController(port: Int = 0, gateway: Bool = true, expiration: Double = 10, name: String = "controller") throws -> SwitchyardProcess {
        var arguments = ["controller", "--port", String(port), "--heart-beat-expiration", String(expiration)]
        arguments += gateway ? ["--gateway-port", "0"] : ["--no-gateway"]
        return try SwitchyardProcess(name, arguments)
    }

    static func startWorker(controller: String, model: String = "sim-model", beat: Double = 0.3, extra: [String] = [], name: String = "worker") throws -> SwitchyardProcess {
        try SwitchyardProcess(
            name,
            ["worker", "--port", "0", "--controller", controller, "--model-names", model, "--heart-beat-interval", String(beat)] + extra
        )
    }

    static func waitForWorkers(_ controller: String, count: Int, token: String? = nil, timeout: Duration = .seconds(20)) async throws {
        try await eventually(timeout: timeout, "\(count) workers are registered") {
            try await HTTP.workers(controller, token: token).count == count
        }
    }

    @Test func registersWorkersAndRoutesChatBothWays() async throws {
        let controllerProcess = try Self.startController()
        let controller = try await controllerProcess.url(of: "controller")
        let gateway = try await controllerProcess.url(of: "gateway")
        let first = try Self.startWorker(controller: controller)
        let second = try Self.startWorker(controller: controller)
        let addresses = [try await first.url(of: "worker"), try await second.url(of: "worker")]
        try await Self.waitForWorkers(controller, count: 2)

        let workers = try await HTTP.workers(controller)
        #expect(Set(workers.map(\.address)) == Set(addresses))
        for worker in workers {
            #expect(worker.models == ["sim-model"])
            #expect(worker.state == .ready)
            #expect(worker.api == "openai")
            #expect(worker.limitConcurrency == 64)
        }

        try await eventually("the gateway lists the model") {
            try await HTTP.get(gateway + "/v1/models").text.contains("\"sim-model\"")
        }
        let completion = try await HTTP.post(gateway + "/v1/chat/completions", json: HTTP.chatBody(model: "sim-model"))
        #expect(completion.status == 200)
        #expect(completion.headers["x-request-id"] != nil)
        // A plain reply is sent whole, with its length, not as a chunked body.
        #expect(completion.headers["content-length"] == String(completion.body.readableBytes))
        let parsed = try completion.decode(ChatCompletion.self)
        #expect(parsed.choices.first?.message.content?.hasPrefix("hello switchyard") == true)
        #expect(parsed.usage?.promptTokens == 2)

        let streamed = try await HTTP.post(gateway + "/chat/completions", json: HTTP.chatBody(model: "sim-model", stream: true))
        #expect(streamed.status == 200)
        #expect(streamed.headers["content-type"] == "text/event-stream")
        #expect(streamed.headers["cache-control"] == "no-cache")
        #expect(streamed.events.last == "[DONE]")
        let text = try streamed.chunks().map(\.text).joined()
        #expect(text == parsed.choices.first?.message.content)

        let unknown = try await HTTP.post(gateway + "/v1/chat/completions", json: HTTP.chatBody(model: "no-such-model"))
        #expect(unknown.status == 404)
        #expect(unknown.text.contains("\"model_not_found\""))
        let malformed = try await HTTP.post(gateway + "/v1/chat/completions", json: "{not json")
        #expect(malformed.status == 400)
        #expect(malformed.text.contains("\"invalid_request_error\""))
        #expect(malformed.headers["x-request-id"] != nil)
        let noModel = try await HTTP.post(gateway + "/v1/chat/completions", json: #"{"messages":[]}"#)
        #expect(noModel.status == 400)
        #expect(noModel.text.contains("\"missing_required_parameter\""))

        let card = try await HTTP.get(gateway + "/v1/models/sim-model")
        #expect(card.status == 200)
        #expect(try card.decode(ModelCard.self).id == "sim-model")
        let missingCard = try await HTTP.get(gateway + "/v1/models/nope")
        #expect(missingCard.status == 404)
        #expect(missingCard.text.contains("\"model_not_found\""))

        let unknownRoute = try await HTTP.get(gateway + "/v1/nowhere")
        #expect(unknownRoute.status == 404)
        #expect(unknownRoute.text.contains("Invalid URL (GET /v1/nowhere)"))
        let tagged = try await HTTP.post(gateway + "/v1/chat/completions", json: HTTP.chatBody(model: "sim-model"), headers: ["x-request-id": "client-id-1"])
        #expect(tagged.headers["x-request-id"] == "client-id-1")
    }

    @Test func speaksFastChatControllerProtocol() async throws {
        let controllerProcess = try Self.startController(gateway: false)
        let controller = try await controllerProcess.url(of: "controller")
        let worker = try Self.startWorker(controller: controller, model: "vicuna")
        let address = try await worker.url(of: "worker")
        try await Self.waitForWorkers(controller, count: 1)

        #expect(try await HTTP.get(controller + "/test_connection").json() as? String == "success")
        #expect(try await HTTP.post(controller + "/list_models", json: "").json() as? [String: [String]] == ["models": ["vicuna"]])
        #expect(try await HTTP.post(controller + "/list_language_models", json: "").json() as? [String: [String]] == ["models": ["vicuna"]])
        #expect(try await HTTP.post(controller + "/list_multimodal_models", json: "").json() as? [String: [String]] == ["models": []])
        #expect(try await HTTP.post(controller + "/get_worker_address", json: #"{"model":"vicuna"}"#).json() as? [String: String] == ["address": address])
        #expect(try await HTTP.post(controller + "/get_worker_address", json: #"{"model":"nope"}"#).json() as? [String: String] == ["address": ""])
        let status = try await HTTP.post(controller + "/worker_get_status", json: "").decode(WorkerStatus.self)
        #expect(status.modelNames == ["vicuna"])
        #expect(try await HTTP.post(controller + "/receive_heart_beat", json: #"{"worker_name":"http://gone:1","queue_length":0}"#).text == #"{"exist":false}"#)

        // A FastChat-style registration with a null status makes the controller pull it from the worker.
        let pulled = try await HTTP.post(
            controller + "/register_worker",
            json: #"{"worker_name":"\#(address)","check_heart_beat":false,"worker_status":null}"#
        )
        #expect(pulled.status == 200)
        #expect(pulled.text == "null")
        #expect(try await HTTP.workers(controller).first?.checkHeartBeat == false)
        let unreachable = try await HTTP.post(
            controller + "/register_worker",
            json: #"{"worker_name":"http://127.0.0.1:9","check_heart_beat":true,"worker_status":null}"#
        )
        #expect(unreachable.status == 502)
        #expect(try await HTTP.workers(controller).count == 1)

        let refreshed = try await HTTP.post(controller + "/refresh_all_workers", json: "")
        #expect(refreshed.text == "null")
        #expect(try await HTTP.workers(controller).map(\.address) == [address])
        let missingKey = try await HTTP.post(controller + "/receive_heart_beat", json: #"{"queue_length":0}"#)
        #expect(missingKey.status == 400)
    }

    @Test func killedWorkerExpires() async throws {
        let controllerProcess = try Self.startController(gateway: false, expiration: 1.5)
        let controller = try await controllerProcess.url(of: "controller")
        let doomed = try Self.startWorker(controller: controller)
        let survivor = try Self.startWorker(controller: controller)
        let doomedAddress = try await doomed.url(of: "worker")
        _ = try await survivor.url(of: "worker")
        try await Self.waitForWorkers(controller, count: 2)

        doomed.signal(SIGKILL)
        try await eventually(timeout: .seconds(10), "the killed worker expired") {
            let addresses = try await HTTP.workers(controller).map(\.address)
            return addresses.count == 1 && !addresses.contains(doomedAddress)
        }
        // The live worker keeps beating and stays.
        try await Task.sleep(for: .seconds(2))
        #expect(try await HTTP.workers(controller).count == 1)
    }

    @Test func workerStartedBeforeControllerRegistersWhenItArrives() async throws {
        let port = try freePort()
        let controllerURL = "http://127.0.0.1:\(port)"
        let worker = try Self.startWorker(controller: controllerURL)
        let address = try await worker.url(of: "worker")
        try await Task.sleep(for: .seconds(1))
        #expect(worker.isRunning)

        let controllerProcess = try Self.startController(port: port, gateway: false)
        _ = try await controllerProcess.url(of: "controller")
        try await Self.waitForWorkers(controllerURL, count: 1)
        #expect(try await HTTP.workers(controllerURL).first?.address == address)
    }

    @Test func workersReregisterAfterControllerRestart() async throws {
        let port = try freePort()
        let controllerURL = "http://127.0.0.1:\(port)"
        let firstRun = try Self.startController(port: port, gateway: false, name: "controller-1")
        _ = try await firstRun.url(of: "controller")
        let worker = try Self.startWorker(controller: controllerURL)
        _ = try await worker.url(of: "worker")
        try await Self.waitForWorkers(controllerURL, count: 1)

        firstRun.signal(SIGKILL)
        _ = try await firstRun.exitStatus()
        let secondRun = try Self.startController(port: port, gateway: false, name: "controller-2")
        _ = try await secondRun.url(of: "controller")
        try await Self.waitForWorkers(controllerURL, count: 1, timeout: .seconds(10))
        #expect(worker.isRunning)
    }

    @Test func standaloneGatewayMirrorsAndSurvivesControllerOutage() async throws {
        let port = try freePort()
        let controllerURL = "http://127.0.0.1:\(port)"
        let firstRun = try Self.startController(port: port, gateway: false, name: "controller-1")
        _ = try await firstRun.url(of: "controller")
        let worker = try Self.startWorker(controller: controllerURL, model: "alpha")
        _ = try await worker.url(of: "worker")
        let gatewayProcess = try SwitchyardProcess("gateway", ["gateway", "--port", "0", "--controller", controllerURL])
        let gateway = try await gatewayProcess.url(of: "gateway")
        try await eventually("the gateway mirrors the worker") {
            try await HTTP.post(gateway + "/v1/chat/completions", json: HTTP.chatBody(model: "alpha")).status == 200
        }

        firstRun.signal(SIGKILL)
        _ = try await firstRun.exitStatus()
        for _ in 0..<5 {
            let reply = try await HTTP.post(gateway + "/v1/chat/completions", json: HTTP.chatBody(model: "alpha"))
            #expect(reply.status == 200, "routing must continue while the controller is down: \(reply.text)")
            try await Task.sleep(for: .milliseconds(200))
        }

        let secondRun = try Self.startController(port: port, gateway: false, name: "controller-2")
        _ = try await secondRun.url(of: "controller")
        let newcomer = try Self.startWorker(controller: controllerURL, model: "beta")
        _ = try await newcomer.url(of: "worker")
        try await eventually("the gateway resynchronised with the restarted controller") {
            let models = try await HTTP.get(gateway + "/v1/models").text
            return models.contains("\"alpha\"") && models.contains("\"beta\"")
        }
        #expect(try await HTTP.post(gateway + "/v1/chat/completions", json: HTTP.chatBody(model: "beta")).status == 200)
        #expect(try await HTTP.post(gateway + "/v1/chat/completions", json: HTTP.chatBody(model: "alpha")).status == 200)
    }

    @Test func sigtermedWorkerFinishesItsInFlightStream() async throws {
        let controllerProcess = try Self.startController()
        let controller = try await controllerProcess.url(of: "controller")
        let gateway = try await controllerProcess.url(of: "gateway")
        let worker = try Self.startWorker(
            controller: controller,
            model: "slow",
            extra: ["--sim-tokens-per-second", "20", "--sim-output-tokens", "30"]
        )
        _ = try await worker.url(of: "worker")
        try await eventually("the gateway routes to the worker") {
            try await HTTP.get(gateway + "/v1/models").text.contains("\"slow\"")
        }

        let response = try await HTTP.openStream(gateway, model: "slow")
        #expect(response.status == .ok)
        var parser = ServerSentEventParser()
        var events: [String] = []
        var signalled = false
        for try await buffer in response.body {
            events += parser.feed(buffer).map { String(decoding: $0, as: UTF8.self) }
            if !signalled && events.count >= 2 {
                worker.signal(SIGTERM)
                signalled = true
            }
        }
        #expect(signalled)
        #expect(events.last == "[DONE]")
        let chunks = try events.dropLast().map { try JSONDecoder().decode(ChatCompletionChunk.self, from: Data($0.utf8)) }
        #expect(chunks.filter { !$0.text.isEmpty }.count == 30)
        #expect(chunks.last?.choices.first?.finishReason == "stop")

        #expect(try await worker.exitStatus() == 0)
        try await Self.waitForWorkers(controller, count: 0, timeout: .seconds(5))
    }
}
