import Foundation
import HTTPTypes
import SwitchyardCore
import Testing

/// Issue 12 items 4 and 5 through real processes: a rogue worker's redirect is never followed, and
/// registrations with hostile addresses or absurd numbers are refused with OpenAI's 400.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct WorkerAddressTests {
    static func register(_ address: String, status: String, with controller: String) async throws -> HTTP.Reply {
        try await HTTP.post(
            controller + "/register_worker",
            json: #"{"worker_name":"\#(address)","check_heart_beat":false,"worker_status":\#(status)}"#
        )
    }

    static func status(model: String, extra: String = "") -> String {
        #"{"model_names":["\#(model)"],"speed":1,"queue_length":0,"api":"openai"\#(extra)}"#
    }

    /// The OpenAI error's `param`, or nil when the body is not one.
    static func param(of reply: HTTP.Reply) -> String? {
        (try? reply.decode(OpenAIError.Body.self))?.error.param
    }

    @Test func aRogueWorkersRedirectIsNeverFollowed() async throws {
        // The "internal" service: it would answer anything, even a worker status, with the canary.
        let canary = try await LoopbackServer.start { _ in
            .init(body: #"{"model_names":["canary"],"speed":1,"queue_length":0,"secret":"CANARY-4f1d"}"#)
        }
        let rogue = try await LoopbackServer.start { _ in
            .init(status: .found, headers: [.location: canary.url + "/latest/meta-data"], body: "")
        }
        let controllerProcess = try CoreLoopTests.startController()
        let controller = try await controllerProcess.url(of: "controller")
        let gateway = try await controllerProcess.url(of: "gateway")
        let registered = try await Self.register(rogue.url, status: Self.status(model: "rogue", extra: #","control_address":"\#(rogue.url)""#), with: controller)
        #expect(registered.status == 200, "\(registered.text)")
        try await eventually("the gateway knows the rogue worker") {
            try await HTTP.get(gateway + "/v1/models").text.contains("rogue")
        }

        for stream in [false, true] {
            let reply = try await HTTP.post(gateway + "/v1/chat/completions", json: HTTP.chatBody(model: "rogue", stream: stream))
            #expect(reply.status == 502, "stream \(stream): \(reply.text)")
            #expect(!reply.text.contains("CANARY"))
            let error = try reply.decode(OpenAIError.Body.self).error
            #expect(error.type == "server_error")
            #expect(error.message.contains("redirect"))
        }
        #expect(rogue.hits >= 2)

        // The controller's own calls to the worker: a pull of its status at registration, a
        // refresh (which then drops it), a drain forwarded to its control address.
        let pulled = try await Self.register(rogue.url + "/pull", status: "null", with: controller)
        #expect(pulled.status == 502, "\(pulled.text)")
        let drained = try await HTTP.post(controller + "/api/v1/workers/drain", json: #"{"address":"\#(rogue.url)"}"#)
        #expect(drained.status == 502, "\(drained.text)")
        #expect(!drained.text.contains("CANARY"))
        #expect(try await HTTP.post(controller + "/refresh_all_workers", json: "{}").status == 200)
        #expect(try await HTTP.workers(controller).isEmpty)

        #expect(canary.hits == 0)
        #expect(controllerProcess.isRunning)
    }

    @Test func anUpstreamsRedirectIsNeverFollowedByTheWorker() async throws {
        let canary = try await LoopbackServer.start { _ in
            .init(body: #"{"id":"x","object":"chat.completion","created":0,"model":"m","choices":[],"secret":"CANARY-4f1d"}"#)
        }
        let upstream = try await LoopbackServer.start { _ in
            .init(status: .temporaryRedirect, headers: [.location: canary.url + "/v1/chat/completions"], body: "")
        }
        let controllerProcess = try CoreLoopTests.startController(gateway: false)
        let controller = try await controllerProcess.url(of: "controller")
        let workerProcess = try CoreLoopTests.startWorker(controller: controller, extra: ["--backend", "openai", "--upstream", upstream.url])
        let worker = try await workerProcess.url(of: "worker")
        for stream in [false, true] {
            let reply = try await HTTP.post(worker + "/v1/chat/completions", json: HTTP.chatBody(model: "sim-model", stream: stream))
            #expect(reply.status == 502, "stream \(stream): \(reply.text)")
            #expect(reply.headers["location"] == nil)
            #expect(!reply.text.contains("CANARY"))
            #expect(reply.text.contains("\"error\""))
        }
        #expect(upstream.hits >= 2)
        #expect(canary.hits == 0)
        #expect(workerProcess.isRunning)
    }

    @Test func hostileRegistrationsAreRefusedNamingTheField() async throws {
        let controllerProcess = try CoreLoopTests.startController(gateway: false)
        let controller = try await controllerProcess.url(of: "controller")
        let good = Self.status(model: "m")
        for address in [
            "file:///etc/passwd", "gopher://127.0.0.1:6379/_FLUSHALL", "http://user@127.0.0.1:9", "http://127.0.0.1:9/?x=1",
            "http://127.0.0.1:9/#f", "http://", "ftp://127.0.0.1/", "http://" + String(repeating: "a", count: 5000),
        ] {
            let reply = try await Self.register(address, status: good, with: controller)
            #expect(reply.status == 400, "\(address.prefix(40)): \(reply.text.prefix(300))")
            #expect(Self.param(of: reply) == "worker_name", "\(address.prefix(40))")
        }
        let badControl = try await Self.register("http://127.0.0.1:9", status: Self.status(model: "m", extra: #","control_address":"file:///etc/passwd""#), with: controller)
        #expect(badControl.status == 400)
        #expect(Self.param(of: badControl) == "worker_status.control_address")

        let absurd: [(String, String)] = [
            (#"{"model_names":["m"],"speed":1,"queue_length":9223372036854775807}"#, "worker_status.queue_length"),
            (#"{"model_names":["m"],"speed":1,"queue_length":-1}"#, "worker_status.queue_length"),
            (#"{"model_names":["m"],"speed":1.5e308,"queue_length":0}"#, "worker_status.speed"),
            (#"{"model_names":["m"],"speed":-1,"queue_length":0}"#, "worker_status.speed"),
            (#"{"model_names":["m"],"speed":1,"queue_length":0,"limit_concurrency":0}"#, "worker_status.limit_concurrency"),
            (#"{"model_names":[""],"speed":1,"queue_length":0}"#, "worker_status.model_names"),
            (#"{"model_names":["\#(String(repeating: "n", count: 257))"],"speed":1,"queue_length":0}"#, "worker_status.model_names"),
            (#"{"model_names":[\#((0..<100_000).map { "\"m\($0)\"" }.joined(separator: ","))],"speed":1,"queue_length":0}"#, "worker_status.model_names"),
        ]
        for (status, field) in absurd {
            let reply = try await Self.register("http://127.0.0.1:9", status: status, with: controller)
            #expect(reply.status == 400, "\(field): \(reply.text.prefix(300))")
            #expect(Self.param(of: reply) == field, "\(status.prefix(80))")
        }
        #expect(try await HTTP.workers(controller).isEmpty)

        // The largest accepted numbers, twice: routing and the aggregate still answer.
        let largest = #"{"model_names":["m"],"speed":\#(Int(WorkerStatus.maxSpeed)),"queue_length":\#(WorkerStatus.maxQueueLength)}"#
        #expect(try await Self.register("http://127.0.0.1:9", status: largest, with: controller).status == 200)
        #expect(try await Self.register("http://127.0.0.1:10", status: largest, with: controller).status == 200)
        // A heartbeat's absurd queue is clamped, not refused: FastChat workers must keep beating.
        let beat = try await HTTP.post(controller + "/receive_heart_beat", json: #"{"worker_name":"http://127.0.0.1:9","queue_length":999999999999999}"#)
        #expect(beat.text == #"{"exist":true}"#)
        for _ in 0..<3 {
            let picked = try await HTTP.post(controller + "/get_worker_address", json: #"{"model":"m"}"#)
            #expect(picked.status == 200)
            #expect(picked.text.contains("http://127.0.0.1:"))
        }
        let aggregate = try await HTTP.post(controller + "/worker_get_status", json: "{}")
        #expect(aggregate.status == 200, "\(aggregate.text)")
        #expect(try aggregate.decode(WorkerStatus.self).speed == 2 * WorkerStatus.maxSpeed)
        #expect(try aggregate.decode(WorkerStatus.self).queueLength == 2 * WorkerStatus.maxQueueLength)
        #expect(controllerProcess.isRunning)
    }

    @Test func workerNetworksAllowOnlyAddressesInside() async throws {
        let controllerProcess = try SwitchyardProcess(
            "controller", ["controller", "--port", "0", "--no-gateway", "--worker-networks", "10.0.0.0/8, ::1"]
        )
        let controller = try await controllerProcess.url(of: "controller")
        let status = Self.status(model: "m")
        for address in ["http://127.0.0.1:9", "http://169.254.169.254", "http://[::ffff:127.0.0.1]:9", "http://internal.example:80"] {
            let reply = try await Self.register(address, status: status, with: controller)
            #expect(reply.status == 400, "\(address): \(reply.text)")
            #expect(Self.param(of: reply) == "worker_name")
        }
        #expect(try await Self.register("http://10.1.2.3:8000", status: status, with: controller).status == 200)
        #expect(try await Self.register("http://[::1]:9", status: status, with: controller).status == 200)
        // localhost is loopback, which ::1 allows.
        #expect(try await Self.register("http://localhost:9", status: status, with: controller).status == 200)
        #expect(Set(try await HTTP.workers(controller).map(\.address)) == ["http://10.1.2.3:8000", "http://[::1]:9", "http://localhost:9"])

        for command in [["controller", "--port", "0"], ["gateway", "--port", "0"], ["up", "--port", "0", "--controller-port", "0"]] {
            let refused = try await SwitchyardProcess.run(command + ["--worker-networks", "10.0.0.0/33"])
            #expect(refused.status != 0, "\(command[0])")
            #expect(refused.errors.contains("--worker-networks"), "\(command[0]): \(refused.errors)")
        }
        // up's own workers listen on loopback: networks without it would leave it never ready.
        let unready = try await SwitchyardProcess.run(["up", "--port", "0", "--controller-port", "0", "--worker-networks", "10.0.0.0/8"])
        #expect(unready.status != 0)
        #expect(unready.errors.contains("simulated workers"))
    }
}
