import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SwitchyardCore
import Testing

/// What a web page the operator opens can make the browser send to local daemons (cross-site
/// posts, DNS rebinding), and who may list the workers' addresses, against real processes.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct BrowserGuardTests {
    /// A request as a browser sends it: any type, origin or Host.
    static func send(_ url: String, method: HTTPMethod = .POST, body: String? = nil, headers: [String: String]) async throws -> HTTP.Reply {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        return try await HTTP.send(request)
    }

    static func error(of reply: HTTP.Reply) throws -> OpenAIError.Body.Detail {
        try reply.decode(OpenAIError.Body.self).error
    }

    @Test func crossSitePostsAreRefusedAndTheWorkerStaysReady() async throws {
        let controllerProcess = try SwitchyardProcess("controller", ["controller", "--port", "0", "--gateway-port", "0", "--arena-db", ":memory:"])
        let controller = try await controllerProcess.url(of: "controller")
        let gateway = try await controllerProcess.url(of: "gateway")
        let workerProcess = try CoreLoopTests.startWorker(controller: controller)
        let worker = try await workerProcess.url(of: "worker")
        try await CoreLoopTests.waitForWorkers(controller, count: 1)

        // What a page's `fetch(url, {method: "POST", mode: "no-cors", body: …})` sends: no preflight for text/plain.
        let drain = #"{"address":"\#(worker)"}"#
        for type in ["text/plain;charset=UTF-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonx"] {
            let refused = try await Self.send(controller + "/api/v1/workers/drain", body: drain, headers: ["content-type": type])
            #expect(refused.status == 415, "\(type)")
            let error = try Self.error(of: refused)
            #expect(error.code == "unsupported_media_type" && error.type == "invalid_request_error" && error.param == nil)
        }
        #expect(try await Self.send(controller + "/api/v1/workers/drain", body: drain, headers: [:]).status == 415)
        // With the page's origin it is refused before its type is even read.
        let crossSite = try await Self.send(
            controller + "/api/v1/workers/drain",
            body: drain,
            headers: ["content-type": "text/plain", "origin": "http://evil.example"]
        )
        #expect(crossSite.status == 403)
        #expect(try Self.error(of: crossSite).code == "forbidden_origin")
        #expect(try await Self.send(controller + "/api/v1/workers/drain", body: drain, headers: ["content-type": "application/json", "origin": "null"]).status == 403)
        #expect(try await Self.send(worker + "/admin/drain", body: "{}", headers: ["content-type": "text/plain"]).status == 415)
        #expect(try await Self.send(controller + "/refresh_all_workers", body: "x", headers: ["content-type": "text/plain"]).status == 415)
        #expect(try await Self.send(controller + "/api/v1/workers/unregister", body: #"{"worker_name":"\#(worker)"}"#, headers: ["content-type": "text/plain"]).status == 415)
        #expect(try await HTTP.workers(controller).first?.state == .ready)
        #expect(try await HTTP.post(gateway + "/v1/chat/completions", json: HTTP.chatBody(model: "sim-model")).status == 200)

        // The gateway, its arena and unknown routes too: nothing a page posts gets past the type check.
        let chat = HTTP.chatBody(model: "sim-model")
        #expect(try await Self.send(gateway + "/v1/chat/completions", body: chat, headers: ["content-type": "text/plain"]).status == 415)
        #expect(try await Self.send(gateway + "/arena/battles", body: #"{"messages":[]}"#, headers: ["content-type": "text/plain"]).status == 415)
        #expect(try await Self.send(worker + "/v1/chat/completions", body: chat, headers: ["content-type": "text/plain"]).status == 415)
        #expect(try await Self.send(controller + "/no/such/route", method: .PUT, body: "x", headers: ["content-type": "text/plain"]).status == 415)
        // JSON in any case with parameters passes, and the gateway's own pages' origin is welcome.
        let page = try await Self.send(
            gateway + "/v1/chat/completions",
            body: chat,
            headers: ["content-type": "Application/JSON; charset=utf-8", "origin": gateway]
        )
        #expect(page.status == 200)

        // FastChat's clients post these bare: no body, no type, no origin.
        #expect(try await Self.send(controller + "/list_models", headers: [:]).status == 200)
        #expect(try await Self.send(controller + "/refresh_all_workers", headers: [:]).status == 200)
        #expect(try await Self.send(controller + "/refresh_all_workers", headers: ["origin": "http://127.0.0.1:1"]).status == 415)
        #expect(try await HTTP.workers(controller).first?.state == .ready)
    }

    @Test func rebindingHostsAreRefused() async throws {
        let controllerProcess = try CoreLoopTests.startController()
        let controller = try await controllerProcess.url(of: "controller")
        let gateway = try await controllerProcess.url(of: "gateway")
        let workerProcess = try CoreLoopTests.startWorker(controller: controller)
        let worker = try await workerProcess.url(of: "worker")
        try await CoreLoopTests.waitForWorkers(controller, count: 1)

        // A page at evil.example whose name now points at 127.0.0.1: same origin to the browser.
        for url in [controller + "/api/v1/workers", gateway + "/v1/models", gateway + "/api/v1/gateway/workers", gateway + "/", worker + "/health"] {
            let port = try #require(URLComponents(string: url)?.port)
            for host in ["evil.example:\(port)", "127.0.0.1.evil.example:\(port)", "0.0.0.0:\(port)"] {
                let refused = try await Self.send(url, method: .GET, headers: ["host": host])
                #expect(refused.status == 403, "\(url) \(host)")
                #expect(try Self.error(of: refused).code == "forbidden_host")
            }
            #expect(try await Self.send(url, method: .GET, headers: ["host": "localhost:\(port)"]).status == 200, "\(url)")
        }
        let drain = try await Self.send(
            controller + "/api/v1/workers/drain",
            body: #"{"address":"\#(worker)"}"#,
            headers: ["content-type": "application/json", "host": "evil.example", "origin": "http://evil.example"]
        )
        #expect(drain.status == 403)
        #expect(try await HTTP.workers(controller).first?.state == .ready)
    }

    @Test func listingWorkerAddressesNeedsATokenOnceOneIsSet() async throws {
        let controllerProcess = try SwitchyardProcess(
            "controller",
            ["controller", "--port", "0", "--no-gateway", "--registration-token", "fleet-secret", "--admin-token", "operator-secret"]
        )
        let controller = try await controllerProcess.url(of: "controller")
        let workerProcess = try CoreLoopTests.startWorker(controller: controller, extra: ["--registration-token", "fleet-secret", "--admin-token", "operator-secret"])
        let worker = try await workerProcess.url(of: "worker")
        try await CoreLoopTests.waitForWorkers(controller, count: 1, token: "fleet-secret")

        let anonymous = try await HTTP.get(controller + "/api/v1/workers")
        #expect(anonymous.status == 401)
        #expect(!anonymous.text.contains(worker))
        #expect(try await HTTP.get(controller + "/api/v1/workers", token: "guess").status == 401)
        #expect(try await HTTP.workers(controller, token: "operator-secret").map(\.address) == [worker])
        #expect(try await HTTP.get(controller + "/api/v1/workers/watch", token: "nope").status == 401)
        let address = #"{"model":"sim-model"}"#
        #expect(try await HTTP.post(controller + "/get_worker_address", json: address).status == 401)
        let picked = try await HTTP.post(controller + "/get_worker_address", json: address, headers: ["authorization": "Bearer fleet-secret"])
        #expect(try picked.json() as? [String: String] == ["address": worker])
        // Model names stay public, as FastChat's.
        #expect(try await HTTP.post(controller + "/list_models", json: "").text.contains("sim-model"))

        // A standalone gateway mirrors the registry with the registration token, and sees nothing without it.
        let blind = try SwitchyardProcess("blind-gateway", ["gateway", "--port", "0", "--controller", controller])
        let blindURL = try await blind.url(of: "gateway")
        let gatewayProcess = try SwitchyardProcess(
            "gateway",
            ["gateway", "--port", "0", "--controller", controller, "--registration-token", "fleet-secret"]
        )
        let gateway = try await gatewayProcess.url(of: "gateway")
        try await eventually("the gateway routes to the worker") {
            try await HTTP.post(gateway + "/v1/chat/completions", json: HTTP.chatBody(model: "sim-model")).status == 200
        }
        try await eventually("the blind gateway logged its refusal") { blind.log.contains("401") }
        #expect(try await HTTP.get(blindURL + "/v1/models").text.contains("sim-model") == false)

        // `switchyard status` reads the listing with the admin token, from the option or the environment.
        #expect(try await SwitchyardProcess.run(["status", "--controller", controller, "--gateway", gateway, "--json"]).status != 0)
        let status = try await SwitchyardProcess.run(["status", "--controller", controller, "--json"], environment: ["SWITCHYARD_ADMIN_TOKEN": "operator-secret"])
        #expect(status.status == 0, "\(status.errors)")
        #expect(status.output.contains(worker))
    }

    @Test func upMakesAnAdminTokenThatStatusFinds() async throws {
        let runtime = SwitchyardProcess.logDirectory.appendingPathComponent("runtime-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: runtime) }
        let environment = ["XDG_RUNTIME_DIR": runtime.path]
        let controllerPort = try freePort()
        let up = try SwitchyardProcess(
            "up",
            ["up", "--port", "0", "--controller-port", String(controllerPort), "--workers", "1", "--no-arena"],
            environment: environment
        )
        let controller = try await up.url(of: "controller")
        let printed = try await up.announcement("Admin token: ")
        let token = String(printed.prefix { $0 != " " })
        #expect(token.count == 64)

        #expect(try await HTTP.get(controller + "/api/v1/workers").status == 401)
        try await CoreLoopTests.waitForWorkers(controller, count: 1, token: token)
        let tokenFile = runtime.appendingPathComponent("switchyard/up-\(controllerPort).admin-token")
        let attributes = try FileManager.default.attributesOfItem(atPath: tokenFile.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)

        // Status finds the token `up` left for this controller; a drain with it reaches the worker.
        let status = try await SwitchyardProcess.run(["status", "--controller", controller, "--json"], environment: environment)
        #expect(status.status == 0, "\(status.errors)")
        let worker = try #require(try await HTTP.workers(controller, token: token).first?.address)
        #expect(status.output.contains(worker))
        let drain = try await SwitchyardProcess.run(["status", "drain", worker, "--controller", controller], environment: environment)
        #expect(drain.status == 0, "\(drain.errors)")
        #expect(try await HTTP.workers(controller, token: token).first?.state == .draining)
        // Without the file (another user, another runtime folder) the listing stays closed.
        let elsewhere = runtime.appendingPathComponent("elsewhere").path
        #expect(try await SwitchyardProcess.run(["status", "--controller", controller], environment: ["XDG_RUNTIME_DIR": elsewhere]).status != 0)

        up.signal(SIGTERM)
        #expect(try await up.exitStatus() == 0)
        #expect(!FileManager.default.fileExists(atPath: tokenFile.path))
    }
}
