import AsyncHTTPClient
import Foundation
import NIOCore
import SwitchyardCore
import Testing

/// Drains, dead and hung workers, seen through a live gateway.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct FailureHandlingTests {
    static func circuit(of address: String, gateway: String) async throws -> String? {
        let list = try await HTTP.get(gateway + "/api/v1/gateway/workers").json() as? [String: Any]
        return (list?["workers"] as? [[String: Any]])?.first { $0["address"] as? String == address }?["circuit"] as? String
    }

    @Test func drainedWorkerGetsNoNewRequestsAndUndrainBringsItBack() async throws {
        let controllerProcess = try CoreLoopTests.startController()
        let controller = try await controllerProcess.url(of: "controller")
        let gateway = try await controllerProcess.url(of: "gateway")
        let first = try CoreLoopTests.startWorker(controller: controller, name: "worker-a")
        let second = try CoreLoopTests.startWorker(controller: controller, name: "worker-b")
        let drained = try await first.url(of: "worker")
        let other = try await second.url(of: "worker")
        try await CoreLoopTests.waitForWorkers(controller, count: 2)
        try await eventually("the gateway knows both workers") {
            var seen = Set<String>()
            for _ in 0..<20 {
                seen.insert(try await HTTP.post(gateway + "/v1/chat/completions", json: HTTP.chatBody(model: "sim-model")).headers["x-switchyard-worker"] ?? "")
            }
            return seen == [drained, other]
        }

        let drain = try await SwitchyardProcess.run(["status", "drain", drained, "--controller", controller, "--wait"])
        #expect(drain.status == 0, "\(drain.output)")
        #expect(drain.output.contains("is drained"))
        #expect(try await HTTP.workers(controller).first { $0.address == drained }?.state == .draining)
        for _ in 0..<20 {
            let reply = try await HTTP.post(gateway + "/v1/chat/completions", json: HTTP.chatBody(model: "sim-model"))
            #expect(reply.status == 200)
            #expect(reply.headers["x-switchyard-worker"] == other)
        }
        let direct = try await HTTP.post(drained + "/v1/chat/completions", json: HTTP.chatBody(model: "sim-model"))
        #expect(direct.status == 503)
        #expect(direct.headers["retry-after"] != nil)
        // Heartbeats keep the operator's drain: the worker itself reports it.
        try await Task.sleep(for: .seconds(1))
        #expect(try await HTTP.workers(controller).first { $0.address == drained }?.state == .draining)

        let undrain = try await SwitchyardProcess.run(["status", "undrain", drained, "--controller", controller])
        #expect(undrain.status == 0, "\(undrain.output)")
        try await eventually("the undrained worker takes requests again") {
            try await HTTP.post(gateway + "/v1/chat/completions", json: HTTP.chatBody(model: "sim-model")).headers["x-switchyard-worker"] == drained
        }
        let unknown = try await SwitchyardProcess.run(["status", "drain", "http://127.0.0.1:9", "--controller", controller])
        #expect(unknown.status != 0)
        #expect(unknown.errors.contains("No worker is registered"))
    }

    @Test func deadWorkerIsRetriedAroundAndHungWorkerIsAvoided() async throws {
        let controllerProcess = try SwitchyardProcess(
            "controller",
            ["controller", "--port", "0", "--gateway-port", "0", "--probe-interval", "0.2", "--probe-timeout", "0.3", "--response-timeout", "2"]
        )
        let controller = try await controllerProcess.url(of: "controller")
        let gateway = try await controllerProcess.url(of: "gateway")
        let workers = try (0..<3).map { try CoreLoopTests.startWorker(controller: controller, beat: 1, name: "worker-\($0)") }
        var addresses: [String] = []
        for worker in workers { addresses.append(try await worker.url(of: "worker")) }
        try await CoreLoopTests.waitForWorkers(controller, count: 3)
        try await eventually("the gateway routes to all three") {
            try await HTTP.get(gateway + "/v1/models").text.contains("sim-model")
        }

        // Killed: its heartbeats are still fresh in the registry, yet no client request fails.
        workers[0].signal(SIGKILL)
        for _ in 0..<30 {
            let reply = try await HTTP.post(gateway + "/v1/chat/completions", json: HTTP.chatBody(model: "sim-model"))
            #expect(reply.status == 200, "\(reply.text)")
            #expect(reply.headers["x-switchyard-worker"] != addresses[0])
        }

        // Hung: it accepts connections but never answers. Probes time out and the gateway avoids it;
        // a request caught on it times out before its first byte and is retried elsewhere.
        workers[1].signal(SIGSTOP)
        defer { workers[1].signal(SIGCONT) }
        for _ in 0..<10 {
            let reply = try await HTTP.post(gateway + "/v1/chat/completions", json: HTTP.chatBody(model: "sim-model"))
            #expect(reply.status == 200, "\(reply.text)")
            #expect(reply.headers["x-switchyard-worker"] == addresses[2])
        }
        try await eventually("the gateway opened the hung worker's circuit") {
            try await Self.circuit(of: addresses[1], gateway: gateway) == "open"
        }
        // The dead one is open, unless a slow run already let its registration expire.
        #expect(try await ["open", nil].contains(Self.circuit(of: addresses[0], gateway: gateway)))
        #expect(try await Self.circuit(of: addresses[2], gateway: gateway) == "closed")

        workers[1].signal(SIGCONT)
        try await eventually("the recovered worker is back in rotation") {
            var seen = Set<String>()
            for _ in 0..<20 {
                seen.insert(try await HTTP.post(gateway + "/v1/chat/completions", json: HTTP.chatBody(model: "sim-model")).headers["x-switchyard-worker"] ?? "")
            }
            return seen.contains(addresses[1])
        }
        #expect(try await Self.circuit(of: addresses[1], gateway: gateway) == "closed")
    }

    static func waiting(_ gateway: String) async throws -> Int? {
        (try await HTTP.get(gateway + "/api/v1/gateway/workers").json() as? [String: Any])?["waiting"] as? Int
    }

    @Test func fullWorkersQueueRequestsAndShedTheExcess() async throws {
        let controllerProcess = try SwitchyardProcess(
            "controller",
            ["controller", "--port", "0", "--gateway-port", "0", "--queue-size", "1", "--queue-timeout", "30"]
        )
        let controller = try await controllerProcess.url(of: "controller")
        let gateway = try await controllerProcess.url(of: "gateway")
        let worker = try CoreLoopTests.startWorker(controller: controller, extra: ["--limit-concurrency", "1", "--sim-ttft", "4"])
        _ = try await worker.url(of: "worker")
        try await eventually("the gateway routes to the worker") {
            try await HTTP.get(gateway + "/v1/models").text.contains("sim-model")
        }

        let running = Task { try await HTTP.post(gateway + "/v1/chat/completions", json: HTTP.chatBody(model: "sim-model")) }
        try await eventually("the first request occupies the worker") {
            let list = try await HTTP.get(gateway + "/api/v1/gateway/workers").json() as? [String: Any]
            return ((list?["workers"] as? [[String: Any]])?.first?["in_flight"] as? Int) == 1
        }

        // A client that gives up while queued leaves the queue (the wait itself would last 30 s).
        var impatient = HTTPClientRequest(url: gateway + "/v1/chat/completions")
        impatient.method = .POST
        impatient.headers.add(name: "content-type", value: "application/json")
        impatient.body = .bytes(ByteBuffer(string: HTTP.chatBody(model: "sim-model")))
        let gaveUp = Task { try await HTTPClient.shared.execute(impatient, timeout: .milliseconds(700)) }
        try await eventually("the impatient request is queued") { try await Self.waiting(gateway) == 1 }
        _ = await gaveUp.result
        try await eventually(timeout: .seconds(10), "the queue is empty again") { try await Self.waiting(gateway) == 0 }

        let queued = Task { try await HTTP.post(gateway + "/v1/chat/completions", json: HTTP.chatBody(model: "sim-model")) }
        try await eventually("a request waits for the busy worker") { try await Self.waiting(gateway) == 1 }
        let shed = try await HTTP.post(gateway + "/v1/chat/completions", json: HTTP.chatBody(model: "sim-model"))
        #expect(shed.status == 429)
        #expect(shed.headers["retry-after"] == "1")
        #expect(shed.text.contains("\"rate_limit_exceeded\""))

        #expect(try await running.value.status == 200)
        #expect(try await queued.value.status == 200)
    }

    @Test func workerTheGatewayCannotReachIsAvoidedWhileItsHeartbeatsArrive() async throws {
        let controllerProcess = try SwitchyardProcess(
            "controller",
            ["controller", "--port", "0", "--gateway-port", "0", "--probe-interval", "0.2"]
        )
        let controller = try await controllerProcess.url(of: "controller")
        let gateway = try await controllerProcess.url(of: "gateway")
        // Split brain: this worker beats to the controller, but advertises an address nothing answers at.
        let unreachable = "http://127.0.0.1:\(try freePort())"
        let ghost = try CoreLoopTests.startWorker(controller: controller, extra: ["--worker-address", unreachable], name: "ghost")
        let healthy = try CoreLoopTests.startWorker(controller: controller, name: "healthy")
        _ = try await ghost.url(of: "worker")
        let reachable = try await healthy.url(of: "worker")
        try await CoreLoopTests.waitForWorkers(controller, count: 2)
        try await eventually("the gateway found the ghost unreachable") {
            try await Self.circuit(of: unreachable, gateway: gateway) == "open"
        }
        for _ in 0..<20 {
            let reply = try await HTTP.post(gateway + "/v1/chat/completions", json: HTTP.chatBody(model: "sim-model"))
            #expect(reply.status == 200)
            #expect(reply.headers["x-switchyard-worker"] == reachable)
        }
        // The controller still lists it: its heartbeats arrive.
        #expect(try await HTTP.workers(controller).contains { $0.address == unreachable })
    }
}
