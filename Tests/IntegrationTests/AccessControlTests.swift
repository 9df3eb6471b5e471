import AsyncHTTPClient
import Foundation
import NIOCore
import SwitchyardCore
import Testing

/// Who may register workers, call the gateway and act as operator, against real processes.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct AccessControlTests {
    static func error(of reply: HTTP.Reply) throws -> OpenAIError.Body.Detail {
        try reply.decode(OpenAIError.Body.self).error
    }

    static func bearer(_ token: String) -> [String: String] {
        ["authorization": "Bearer \(token)"]
    }

    static func get(_ url: String, key: String? = nil) async throws -> HTTP.Reply {
        var request = HTTPClientRequest(url: url)
        if let key { request.headers.add(name: "authorization", value: "Bearer \(key)") }
        return try await HTTP.send(request)
    }

    @Test func rogueWorkersWithoutTheRegistrationTokenNeverJoin() async throws {
        let controllerProcess = try SwitchyardProcess(
            "controller",
            ["controller", "--port", "0", "--gateway-port", "0", "--registration-token", "fleet-secret"]
        )
        let controller = try await controllerProcess.url(of: "controller")
        let gateway = try await controllerProcess.url(of: "gateway")

        // Straight at the FastChat endpoints: no token, then a wrong one.
        let registration = #"{"worker_name":"http://127.0.0.1:9","check_heart_beat":true,"worker_status":{"model_names":["stolen"],"speed":1,"queue_length":0}}"#
        let anonymous = try await HTTP.post(controller + "/register_worker", json: registration)
        #expect(anonymous.status == 401)
        #expect(try Self.error(of: anonymous).type == "invalid_request_error")
        #expect(try Self.error(of: anonymous).code == nil)
        let wrong = try await HTTP.post(controller + "/register_worker", json: registration, headers: Self.bearer("guess"))
        #expect(wrong.status == 401)
        #expect(try Self.error(of: wrong).code == "invalid_token")
        let beat = try await HTTP.post(controller + "/receive_heart_beat", json: #"{"worker_name":"http://127.0.0.1:9","queue_length":0}"#)
        #expect(beat.status == 401)

        // A whole worker without the token keeps being refused; one with it registers and serves.
        let rogue = try CoreLoopTests.startWorker(controller: controller, model: "stolen", name: "rogue")
        _ = try await rogue.url(of: "worker")
        let honest = try CoreLoopTests.startWorker(
            controller: controller,
            model: "sim-model",
            extra: ["--registration-token", "fleet-secret"],
            name: "honest"
        )
        let honestAddress = try await honest.url(of: "worker")
        try await CoreLoopTests.waitForWorkers(controller, count: 1, token: "fleet-secret")
        try await eventually("the rogue worker logged its refusal") { rogue.log.contains("401") }
        #expect(try await HTTP.workers(controller, token: "fleet-secret").map(\.address) == [honestAddress])
        let models = try await HTTP.get(gateway + "/v1/models").text
        #expect(models.contains("sim-model"))
        #expect(!models.contains("stolen"))
        try await eventually("the gateway routes to the honest worker") {
            try await HTTP.post(gateway + "/v1/chat/completions", json: HTTP.chatBody(model: "sim-model")).status == 200
        }
        #expect(try await HTTP.post(gateway + "/v1/chat/completions", json: HTTP.chatBody(model: "stolen")).status == 404)

        // The honest worker leaves with its token, so it is gone at once rather than at expiry.
        honest.signal(SIGTERM)
        #expect(try await honest.exitStatus() == 0)
        #expect(try await HTTP.workers(controller, token: "fleet-secret").isEmpty)
    }

    @Test func upGivesItsWorkersATokenNobodyElseHas() async throws {
        // Port 0: `up` settles the controller's port itself, just before binding it, and tells its workers.
        let up = try SwitchyardProcess(
            "up",
            ["up", "--port", "0", "--controller-port", "0", "--workers", "1", "--no-arena", "--admin-token", "operator-secret"]
        )
        let controller = try await up.url(of: "controller")
        try await CoreLoopTests.waitForWorkers(controller, count: 1, token: "operator-secret")
        let rogue = try CoreLoopTests.startWorker(controller: controller, model: "stolen", name: "rogue")
        _ = try await rogue.url(of: "worker")
        try await eventually("the rogue worker logged its refusal") { rogue.log.contains("401") }
        #expect(try await HTTP.workers(controller, token: "operator-secret").map(\.models) == [["switchyard-sim"]])
    }

    @Test func controllerBeyondLoopbackRefusesToStartWithoutARegistrationToken() async throws {
        let refused = try await SwitchyardProcess.run(["controller", "--host", "0.0.0.0", "--port", "0", "--no-gateway"])
        #expect(refused.status != 0)
        #expect(refused.errors.contains("--registration-token"))
        #expect(refused.errors.contains("--allow-unauthenticated-workers"))
    }

    @Test func gatewayKeysAnswerAsOpenAIAndLimitModels() async throws {
        let keysFile = SwitchyardProcess.logDirectory.appendingPathComponent("keys-\(UUID().uuidString.prefix(8)).txt")
        try """
            # full access
            sk-full-access-0001
            sk-alpha-only-0002 alpha
            """.write(to: keysFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: keysFile) }
        let controllerProcess = try SwitchyardProcess(
            "controller",
            ["controller", "--port", "0", "--gateway-port", "0", "--api-keys-file", keysFile.path, "--api-key", "sk-from-the-flag-03"]
        )
        let controller = try await controllerProcess.url(of: "controller")
        let gateway = try await controllerProcess.url(of: "gateway")
        let alpha = try CoreLoopTests.startWorker(controller: controller, model: "alpha", name: "alpha")
        let beta = try CoreLoopTests.startWorker(controller: controller, model: "beta", name: "beta")
        _ = (try await alpha.url(of: "worker"), try await beta.url(of: "worker"))
        try await eventually("the gateway lists both models") {
            let text = try await Self.get(gateway + "/v1/models", key: "sk-full-access-0001").text
            return text.contains("\"alpha\"") && text.contains("\"beta\"")
        }

        let missing = try await HTTP.post(gateway + "/v1/chat/completions", json: HTTP.chatBody(model: "alpha"))
        #expect(missing.status == 401)
        let missingError = try Self.error(of: missing)
        #expect(missingError.message.hasPrefix("You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth"))
        #expect(missingError.type == "invalid_request_error")
        #expect(missingError.code == nil)
        #expect(missing.text.contains(#""code":null"#))

        let wrong = try await HTTP.post(gateway + "/v1/chat/completions", json: HTTP.chatBody(model: "alpha"), headers: Self.bearer("sk-wrong-key-000099"))
        #expect(wrong.status == 401)
        #expect(try Self.error(of: wrong).code == "invalid_api_key")
        #expect(try Self.error(of: wrong).message == "Incorrect API key provided: sk-wr***99.")
        #expect(try await Self.get(gateway + "/models").status == 401)

        for key in ["sk-full-access-0001", "sk-from-the-flag-03"] {
            let reply = try await HTTP.post(gateway + "/v1/chat/completions", json: HTTP.chatBody(model: "beta"), headers: Self.bearer(key))
            #expect(reply.status == 200, "\(key): \(reply.text)")
        }

        // A key limited to alpha sees and uses alpha only; beta looks as if it did not exist.
        let limited = "sk-alpha-only-0002"
        #expect(try await HTTP.post(gateway + "/v1/chat/completions", json: HTTP.chatBody(model: "alpha"), headers: Self.bearer(limited)).status == 200)
        let refused = try await HTTP.post(gateway + "/v1/chat/completions", json: HTTP.chatBody(model: "beta"), headers: Self.bearer(limited))
        #expect(refused.status == 404)
        #expect(try Self.error(of: refused).code == "model_not_found")
        let listed = try await Self.get(gateway + "/v1/models", key: limited).decode(ModelCardList.self).data.map(\.id)
        #expect(listed == ["alpha"])
        #expect(try await Self.get(gateway + "/v1/models/beta", key: limited).status == 404)
        #expect(try await HTTP.post(gateway + "/arena/battles", json: #"{"messages":[{"role":"user","content":"hi"}]}"#, headers: Self.bearer(limited)).status == 403)

        // Operational views: metrics stay open for scrapers, the gateway's worker list needs a key.
        #expect(try await Self.get(gateway + "/metrics").status == 200)
        #expect(try await Self.get(gateway + "/api/v1/gateway/workers").status == 401)
        #expect(try await Self.get(gateway + "/api/v1/gateway/workers", key: limited).status == 200)
        #expect(try await Self.get(gateway + "//v1//models").status == 401)
    }

    @Test func operatorActionsNeedTheAdminToken() async throws {
        let controllerProcess = try SwitchyardProcess(
            "controller",
            ["controller", "--port", "0", "--no-gateway", "--admin-token", "operator-secret", "--registration-token", "fleet-secret"]
        )
        let controller = try await controllerProcess.url(of: "controller")
        let workerProcess = try CoreLoopTests.startWorker(
            controller: controller,
            extra: ["--admin-token", "operator-secret", "--registration-token", "fleet-secret"]
        )
        let worker = try await workerProcess.url(of: "worker")
        try await CoreLoopTests.waitForWorkers(controller, count: 1, token: "operator-secret")

        let anonymous = try await SwitchyardProcess.run(["status", "drain", worker, "--controller", controller])
        #expect(anonymous.status != 0)
        #expect(anonymous.errors.contains("401"))
        #expect(try await HTTP.post(worker + "/admin/drain", json: "").status == 401)
        #expect(try await HTTP.post(controller + "/refresh_all_workers", json: "").status == 401)
        #expect(try await HTTP.post(controller + "/api/v1/workers/unregister", json: #"{"worker_name":"\#(worker)"}"#).status == 401)
        #expect(try await HTTP.workers(controller, token: "operator-secret").first?.state == .ready)

        // The controller passes its admin token on to the worker it drains.
        let drain = try await SwitchyardProcess.run(["status", "drain", worker, "--controller", controller, "--admin-token", "operator-secret"])
        #expect(drain.status == 0, "\(drain.errors)")
        // Draining at once, and a heartbeat sent just before the drain does not undo it.
        #expect(try await HTTP.workers(controller, token: "operator-secret").first?.state == .draining)
        #expect(try await HTTP.post(worker + "/v1/chat/completions", json: HTTP.chatBody(model: "sim-model")).status == 503)
        let undrain = try await SwitchyardProcess.run(["status", "undrain", worker, "--controller", controller, "--admin-token", "operator-secret"])
        #expect(undrain.status == 0, "\(undrain.errors)")
        #expect(try await HTTP.post(controller + "/refresh_all_workers", json: "", headers: Self.bearer("operator-secret")).status == 200)
        try await eventually("the worker is ready again") { try await HTTP.workers(controller, token: "operator-secret").first?.state == .ready }
    }

    @Test func oversizedHeadersAreRefused() async throws {
        let controllerProcess = try CoreLoopTests.startController(gateway: false)
        let controller = try await controllerProcess.url(of: "controller")
        var request = HTTPClientRequest(url: controller + "/test_connection")
        request.headers.add(name: "x-padding", value: String(repeating: "a", count: 32 << 10))
        #expect(try await HTTP.send(request).status == 431)
        #expect(try await HTTP.get(controller + "/test_connection").status == 200)
    }

    static var hasOpenSSLAndCurl: Bool {
        ["/usr/bin/openssl", "/usr/bin/curl"].allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs a command line tool to its end and returns its exit status and standard output.
    static func tool(_ path: String, _ arguments: [String]) async throws -> (status: Int32, output: String) {
        try await SwitchyardProcess.runToEnd(URL(fileURLWithPath: path), arguments)
    }

    /// Needs the openssl and curl command line tools to make a certificate and speak HTTPS with it.
    @Test(.enabled(if: hasOpenSSLAndCurl, "needs /usr/bin/openssl and /usr/bin/curl"))
    func daemonsServeHTTPSWithACertificateFromFiles() async throws {
        let directory = SwitchyardProcess.logDirectory.appendingPathComponent("tls-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificate = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let made = try await Self.tool(
            "/usr/bin/openssl",
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-days", "1",
             "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
        )
        #expect(made.status == 0)

        let controllerProcess = try SwitchyardProcess(
            "controller",
            ["controller", "--port", "0", "--gateway-port", "0", "--tls-cert", certificate, "--tls-key", key, "--api-key", "sk-tls-test-key-01"]
        )
        let controller = try await controllerProcess.url(of: "controller")
        let gateway = try await controllerProcess.url(of: "gateway")
        #expect(controller.hasPrefix("https://"))
        #expect(gateway.hasPrefix("https://"))

        // curl checks the certificate against the file: the daemon really serves it.
        let connection = try await Self.tool("/usr/bin/curl", ["-sS", "--cacert", certificate, controller + "/test_connection"])
        #expect(connection.status == 0)
        #expect(connection.output == #""success""#)
        let models = try await Self.tool("/usr/bin/curl", ["-sS", "--cacert", certificate, "-H", "Authorization: Bearer sk-tls-test-key-01", gateway + "/v1/models"])
        #expect(models.output.contains(#""object":"list""#))
        // The OpenAI routes are the data plane's handler, behind the same TLS.
        let chat = try await Self.tool(
            "/usr/bin/curl",
            ["-sS", "--cacert", certificate, "-H", "Authorization: Bearer sk-tls-test-key-01", "-H", "Content-Type: application/json",
             "-d", #"{"model":"nothing-here","messages":[{"role":"user","content":"hi"}]}"#, gateway + "/v1/chat/completions"]
        )
        #expect(chat.output.contains(#""code":"model_not_found""#), "\(chat.output)")
        let plain = try await Self.tool("/usr/bin/curl", ["-sS", "--max-time", "5", controller.replacingOccurrences(of: "https://", with: "http://") + "/test_connection"])
        #expect(plain.output != #""success""#)
    }
}
