import AsyncHTTPClient
import Foundation
import NIOCore
import SwitchyardCore
import Testing

/// Workers beat over one long stream; the controller drops a worker the moment its stream breaks.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct StreamedHeartbeatTests {
    /// The expiry is two minutes, so a worker gone within the wait below left because its stream
    /// broke, not because it fell silent.
    @Test func aKilledWorkerLeavesTheControllerAndEveryGatewayAtOnce() async throws {
        let controllerProcess = try CoreLoopTests.startController(expiration: 120)
        let controller = try await controllerProcess.url(of: "controller")
        let gateway = try await controllerProcess.url(of: "gateway")
        let standaloneProcess = try SwitchyardProcess("gateway", ["gateway", "--port", "0", "--controller", controller])
        let standalone = try await standaloneProcess.url(of: "gateway")
        let doomed = try CoreLoopTests.startWorker(controller: controller, model: "doomed-model", beat: 0.5)
        let survivor = try CoreLoopTests.startWorker(controller: controller, model: "survivor-model", beat: 0.5, name: "survivor")
        _ = try await doomed.url(of: "worker")
        _ = try await survivor.url(of: "worker")
        for url in [gateway, standalone] {
            try await eventually("the gateway at \(url) routes both models") {
                let models = try await HTTP.get(url + "/v1/models").text
                return models.contains("doomed-model") && models.contains("survivor-model")
            }
        }

        doomed.signal(SIGKILL)
        _ = try await doomed.exitStatus()
        for url in [gateway, standalone] {
            try await eventually(timeout: .seconds(30), "the gateway at \(url) forgot the killed worker") {
                try await !HTTP.get(url + "/v1/models").text.contains("doomed-model")
            }
            #expect(try await HTTP.get(url + "/v1/models").text.contains("survivor-model"))
        }
        #expect(try await HTTP.workers(controller).map(\.models) == [["survivor-model"]])
        #expect(controllerProcess.log.contains("its heartbeat stream broke"))
        let chat = try await HTTP.post(standalone + "/v1/chat/completions", json: HTTP.chatBody(model: "survivor-model"))
        #expect(chat.status == 200)
    }

    /// The controller ends each stream at half its request deadline (3 s here, leaving a loaded
    /// machine 3 s to open the next) and the worker opens the next: nothing is removed or
    /// registered again on the way.
    @Test func streamsAreRenewedWithoutTheWorkerLeaving() async throws {
        let controllerProcess = try SwitchyardProcess(
            "controller", ["controller", "--port", "0", "--no-gateway", "--heart-beat-expiration", "120", "--request-timeout", "6"]
        )
        let controller = try await controllerProcess.url(of: "controller")
        let workerProcess = try CoreLoopTests.startWorker(controller: controller, beat: 0.3)
        let worker = try await workerProcess.url(of: "worker")
        try await CoreLoopTests.waitForWorkers(controller, count: 1)
        // Watch the registry for three stream lifetimes: the worker never leaves.
        let watch = try await HTTPClient.shared.execute(HTTPClientRequest(url: controller + "/api/v1/workers/watch"), timeout: .seconds(30))
        var events: [String] = []
        let deadline = ContinuousClock.now + .seconds(10)
        for try await buffer in watch.body {
            events.append(String(buffer: buffer))
            if ContinuousClock.now > deadline { break }
        }
        #expect(!events.joined().contains(#""remove""#), "\(events)")
        #expect(controllerProcess.log.components(separatedBy: "worker registered").count == 2, "registered once")
        #expect(!controllerProcess.log.contains("heartbeat stream broke"))
        #expect(!workerProcess.log.contains("heartbeat stream broke"))
        let ages = try await HTTP.workers(controller).map(\.lastHeartbeatAgeSeconds)
        #expect(ages.count == 1 && ages[0] < 10)
        #expect(try await HTTP.workers(controller).map(\.address) == [worker])
    }

    /// A controller restarted on the same port: the stream breaks, the worker registers again.
    @Test func workersFollowAControllerThatRestarts() async throws {
        let port = try freePort()
        var controllerProcess = try CoreLoopTests.startController(port: port, gateway: false, expiration: 120)
        let controller = try await controllerProcess.url(of: "controller")
        let workerProcess = try CoreLoopTests.startWorker(controller: controller, beat: 0.3)
        let worker = try await workerProcess.url(of: "worker")
        try await CoreLoopTests.waitForWorkers(controller, count: 1)
        controllerProcess.signal(SIGKILL)
        _ = try await controllerProcess.exitStatus()
        controllerProcess = try CoreLoopTests.startController(port: port, gateway: false, expiration: 120)
        _ = try await controllerProcess.url(of: "controller")
        try await eventually("the worker registered with the new controller") {
            try await HTTP.workers(controller).map(\.address) == [worker]
        }
    }

    /// What a hostile or broken peer sends over the stream: an error line, and the workers it
    /// carried are dropped (a real worker registers again); without the token, 401.
    @Test func somethingOtherThanBeatsBreaksTheStream() async throws {
        let controllerProcess = try SwitchyardProcess(
            "controller", ["controller", "--port", "0", "--no-gateway", "--heart-beat-expiration", "120", "--registration-token", "beat-secret"]
        )
        let controller = try await controllerProcess.url(of: "controller")
        let token = ["authorization": "Bearer beat-secret"]
        let registration = #"{"worker_name":"http://127.0.0.1:9","check_heart_beat":true,"worker_status":{"model_names":["m"],"speed":1,"queue_length":0}}"#
        #expect(try await HTTP.post(controller + "/register_worker", json: registration, headers: token).status == 200)
        let beat = #"{"worker_name":"http://127.0.0.1:9","queue_length":0}"#
        let path = controller + FastChat.HeartBeat.streamPath

        let unauthorized = try await HTTP.post(path, json: beat + "\n")
        #expect(unauthorized.status == 401)

        for garbage in ["not json", #"{"worker_name":"http://127.0.0.1:9","queue_length":-1e400}"#, String(repeating: "x", count: (1 << 20) + 1)] {
            #expect(try await HTTP.post(controller + "/register_worker", json: registration, headers: token).status == 200)
            let reply = try await HTTP.post(path, json: beat + "\n" + garbage + "\n" + beat + "\n", headers: token)
            #expect(reply.status == 200)
            let lines = reply.text.split(separator: "\n")
            #expect(lines.first == #"{"exist":true}"#)
            #expect(lines.count == 2 && lines[1].hasPrefix(#"{"error":"#), "\(reply.text.prefix(300))")
            #expect(try await HTTP.workers(controller, token: "beat-secret").isEmpty)
        }
        // A stream that ends cleanly keeps its workers; an unknown worker is told so.
        #expect(try await HTTP.post(controller + "/register_worker", json: registration, headers: token).status == 200)
        #expect(try await HTTP.post(path, json: beat + "\n" + beat + "\n", headers: token).text == "{\"exist\":true}\n")
        #expect(try await HTTP.workers(controller, token: "beat-secret").count == 1)
        let stranger = #"{"worker_name":"http://127.0.0.1:10","queue_length":0}"#
        #expect(try await HTTP.post(path, json: stranger + "\n", headers: token).text == "{\"exist\":false}\n")
        #expect(controllerProcess.isRunning)
    }
}
