import Foundation
import SwitchyardCore
import Testing

/// `--backend process`: a worker that runs its model server itself. The server here is another
/// switchyard: a simulated worker, which answers `/v1/models` and `/v1/chat/completions` itself.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct ProcessWorkerTests {
    static func startProcessWorker(controller: String, command: String, extra: [String] = []) throws -> SwitchyardProcess {
        try CoreLoopTests.startWorker(
            controller: controller,
            model: "supervised",
            extra: ["--backend", "process", "--command", command] + extra,
            name: "process-worker"
        )
    }

    /// A simulated worker on `{port}` that registers nowhere (nothing listens on port 9).
    static var simulatedServer: String {
        "'\(SwitchyardProcess.executable.path)' worker --backend sim --port {port} --controller http://127.0.0.1:9 --model-names supervised --heart-beat-interval 60"
    }

    /// The process ids of every launch so far, from the worker's JSON log lines.
    static func launchedPIDs(_ worker: SwitchyardProcess) -> [Int32] {
        worker.log.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                object["msg"] as? String == "backend process started"
            else { return nil }
            return (object["pid"] as? String).flatMap { Int32($0) }
        }
    }

    static func isAlive(_ pid: Int32) -> Bool {
        kill(pid, 0) == 0
    }

    @Test func servesThroughTheChildRestartsItAfterACrashAndStopsItOnExit() async throws {
        let controllerProcess = try CoreLoopTests.startController()
        let controller = try await controllerProcess.url(of: "controller")
        let gateway = try await controllerProcess.url(of: "gateway")
        let backendPort = try freePort()
        let workerProcess = try Self.startProcessWorker(
            controller: controller,
            command: Self.simulatedServer,
            extra: ["--backend-port", String(backendPort)]
        )
        let worker = try await workerProcess.url(of: "worker")
        try await eventually("the child answers and the worker is healthy") {
            try await HTTP.get(worker + "/health").status == 200
        }

        // Through the gateway, both ways; the gateway may still hold the early 503s against it.
        try await eventually("the gateway routes to the worker") {
            try await HTTP.post(gateway + "/v1/chat/completions", json: HTTP.chatBody(model: "supervised")).status == 200
        }
        let reply = try await HTTP.post(gateway + "/v1/chat/completions", json: HTTP.chatBody(model: "supervised", content: "through the child"))
        #expect(try reply.decode(ChatCompletion.self).choices.first?.message.content?.hasPrefix("through the child") == true)
        let streamed = try await HTTP.post(gateway + "/v1/chat/completions", json: HTTP.chatBody(model: "supervised", stream: true))
        #expect(streamed.events.last == "[DONE]")
        #expect(try !streamed.chunks().map(\.text).joined().isEmpty)

        // A crash: unhealthy while the child is gone, healthy again after the restart.
        // The launch is `sh -c COMMAND`, the server its child: a crash takes down both (the group).
        let first = try #require(Self.launchedPIDs(workerProcess).last)
        kill(-first, SIGKILL)
        try await eventually("the worker reports the crash") {
            try await HTTP.get(worker + "/health").status == 503
        }
        try await eventually(timeout: .seconds(30), "the restarted child answers") {
            try await HTTP.get(worker + "/health").status == 200
        }
        let second = try #require(Self.launchedPIDs(workerProcess).last)
        #expect(second != first)
        #expect(workerProcess.log.contains("backend process exited; restarting"))
        let again = try await HTTP.post(worker + "/v1/chat/completions", json: HTTP.chatBody(model: "supervised"))
        #expect(again.status == 200)

        // SIGTERM: the worker drains, stops its child and exits cleanly; the child is gone.
        workerProcess.signal(SIGTERM)
        #expect(try await workerProcess.exitStatus() == 0)
        #expect(!Self.isAlive(second))
        await #expect(throws: (any Error).self) {
            try await HTTP.get("http://127.0.0.1:\(backendPort)/v1/models", client: HTTP.failingFast)
        }
        #expect(workerProcess.log.contains("backend process stopped"))
    }

    @Test func aServerThatNeverAnswersKeepsTheWorkerOutOfRotation() async throws {
        let controllerProcess = try CoreLoopTests.startController(gateway: false)
        let controller = try await controllerProcess.url(of: "controller")
        let workerProcess = try Self.startProcessWorker(controller: controller, command: "sleep 600")
        let worker = try await workerProcess.url(of: "worker")
        try await eventually("the child is launched") { !Self.launchedPIDs(workerProcess).isEmpty }

        let health = try await HTTP.get(worker + "/health")
        #expect(health.status == 503)
        let refused = try await HTTP.post(worker + "/v1/chat/completions", json: HTTP.chatBody(model: "supervised"))
        #expect(refused.status == 503)
        #expect(refused.headers["retry-after"] != nil)
        #expect(try refused.decode(OpenAIError.Body.self).error.type == "server_error")

        let child = try #require(Self.launchedPIDs(workerProcess).first)
        #expect(Self.isAlive(child))
        workerProcess.signal(SIGTERM)
        #expect(try await workerProcess.exitStatus() == 0)
        #expect(!Self.isAlive(child))
    }

    @Test func aServerThatKeepsDyingIsRelaunchedWithBackoffUntilTheWorkerStops() async throws {
        let controllerProcess = try CoreLoopTests.startController(gateway: false)
        let controller = try await controllerProcess.url(of: "controller")
        let workerProcess = try Self.startProcessWorker(controller: controller, command: "echo giving up; exit 3")
        let worker = try await workerProcess.url(of: "worker")
        try await eventually("the child is relaunched") { Self.launchedPIDs(workerProcess).count >= 2 }
        #expect(try await HTTP.get(worker + "/health").status == 503)
        // Its output reaches the worker's log, marked as the backend's.
        #expect(workerProcess.log.contains(#""msg":"giving up","backend":"stdout""#))
        #expect(workerProcess.log.contains(#""status":"3""#))

        workerProcess.signal(SIGTERM)
        #expect(try await workerProcess.exitStatus() == 0)
    }
}
