import AsyncHTTPClient
import Foundation
import NIOCore
import SwitchyardCore
import Testing

/// A client that walks away stops the work it started, at the worker and at the model server behind it.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct CancellationTests {
    @Test func aClientLeavingAStreamFreesTheWorkerAndItsBackend() async throws {
        let controllerProcess = try CoreLoopTests.startController()
        let controller = try await controllerProcess.url(of: "controller")
        let gateway = try await controllerProcess.url(of: "gateway")
        // The model server: one request at a time, a reply that would take 100 s.
        let backendProcess = try CoreLoopTests.startWorker(
            controller: controller, model: "backend-only",
            extra: ["--limit-concurrency", "1", "--sim-tokens-per-second", "20", "--sim-output-tokens", "2000"],
            name: "backend"
        )
        let backend = try await backendProcess.url(of: "worker")
        let proxy = try CoreLoopTests.startWorker(
            controller: controller, model: "slow",
            extra: ["--backend", "openai", "--upstream", backend, "--upstream-model", "backend-only"],
            name: "proxy"
        )
        _ = try await proxy.url(of: "worker")
        try await eventually("the gateway lists the proxied model") {
            try await HTTP.get(gateway + "/v1/models").text.contains("\"slow\"")
        }

        let (progress, reported) = AsyncStream.makeStream(of: Int.self)
        let client = Task {
            let response = try await HTTP.openStream(gateway, model: "slow")
            var body = response.body.makeAsyncIterator()
            var chunks = 0
            while try await body.next() != nil {
                chunks += 1
                reported.yield(chunks)
            }
        }
        for await chunks in progress where chunks >= 3 { break }
        client.cancel()
        _ = await client.result

        // Only a freed slot lets the backend answer this one (within the helper's 30 s timeout);
        // a stream still running would hold it for 100 s.
        let next = try await HTTP.post(backend + "/v1/chat/completions", json: #"{"model":"backend-only","max_tokens":1,"messages":[{"role":"user","content":"next"}]}"#)
        #expect(next.status == 200)
        try await eventually("the gateway released the request") {
            let workers = try JSONSerialization.jsonObject(with: Data(buffer: try await HTTP.get(gateway + "/api/v1/gateway/workers").body)) as? [String: Any]
            let list = workers?["workers"] as? [[String: Any]] ?? []
            return list.allSatisfy { ($0["in_flight"] as? Int) == 0 }
        }
    }
}
