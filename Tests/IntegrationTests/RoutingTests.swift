import Foundation
import SwitchyardCore
import Testing

/// Policies and aliases seen through a live gateway: the gateway must hand each policy what it routes on.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct GatewayRoutingTests {
    func startCluster(_ gatewayArguments: [String], models: [String] = ["sim-model", "sim-model", "sim-model"]) async throws
        -> (gateway: String, processes: [SwitchyardProcess])
    {
        let controllerProcess = try SwitchyardProcess("controller", ["controller", "--port", "0", "--gateway-port", "0"] + gatewayArguments)
        let controller = try await controllerProcess.url(of: "controller")
        let gateway = try await controllerProcess.url(of: "gateway")
        var processes = [controllerProcess]
        for (index, model) in models.enumerated() {
            let worker = try CoreLoopTests.startWorker(controller: controller, model: model, name: "worker-\(index)")
            _ = try await worker.url(of: "worker")
            processes.append(worker)
        }
        try await CoreLoopTests.waitForWorkers(controller, count: models.count)
        try await eventually("the gateway mirrors every worker") {
            let list = try await HTTP.get(gateway + "/api/v1/gateway/workers").json() as? [String: Any]
            return (list?["workers"] as? [[String: Any]])?.count == models.count
        }
        return (gateway, processes)
    }

    func servingWorker(_ gateway: String, body: String, headers: [String: String] = [:]) async throws -> String {
        let reply = try await HTTP.post(gateway + "/v1/chat/completions", json: body, headers: headers)
        #expect(reply.status == 200, "\(reply.text)")
        return reply.headers["x-switchyard-worker"] ?? ""
    }

    @Test func sessionPolicyKeepsASessionOnOneWorker() async throws {
        let (gateway, processes) = try await startCluster(["--dispatch", "session"])
        _ = processes
        var workersBySession: [String: Set<String>] = [:]
        for round in 0..<5 {
            for session in 0..<8 {
                let worker = try await servingWorker(gateway, body: HTTP.chatBody(model: "sim-model"), headers: ["x-session-id": "s\(session)"])
                workersBySession["s\(session)", default: []].insert(worker)
            }
            let viaUser = try await servingWorker(gateway, body: #"{"model":"sim-model","user":"alice","messages":[{"role":"user","content":"round \#(round)"}]}"#)
            workersBySession["user:alice", default: []].insert(viaUser)
        }
        for (session, workers) in workersBySession {
            #expect(workers.count == 1, "\(session) moved between \(workers)")
        }
        // Eight sessions over three workers do not all hash to one.
        #expect(Set(workersBySession.values.flatMap { $0 }).count > 1)
    }

    @Test func prefixPolicySendsSharedPrefixesToOneWorker() async throws {
        let (gateway, processes) = try await startCluster(["--model-dispatch", "sim-model=prefix"])
        _ = processes
        let systemPrompt = String(repeating: "You are a careful assistant who answers in one line. ", count: 4)
        var workers = Set<String>()
        for question in 0..<10 {
            let body = #"{"model":"sim-model","messages":[{"role":"system","content":"\#(systemPrompt)"},{"role":"user","content":"question \#(question)"}]}"#
            workers.insert(try await servingWorker(gateway, body: body))
        }
        #expect(workers.count == 1, "a shared prefix was spread over \(workers)")
    }

    @Test func aliasRoutesToTheServedModel() async throws {
        let (gateway, processes) = try await startCluster(["--alias", "gpt-4o-mini=smollm2"], models: ["smollm2"])
        _ = processes
        let models = try await HTTP.get(gateway + "/v1/models").text
        #expect(models.contains("\"gpt-4o-mini\""))
        let reply = try await HTTP.post(gateway + "/v1/chat/completions", json: HTTP.chatBody(model: "gpt-4o-mini"))
        #expect(reply.status == 200)
        // The worker was asked for the model it serves.
        #expect(try reply.decode(ChatCompletion.self).model == "smollm2")
    }
}
