import Foundation
import SwitchyardCore
import Testing

/// A worker on the direct data plane registers its upstream as the address gateways call, and
/// stays beside it as a sidecar.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct DirectDataPlaneTests {
    @Test func gatewaySendsRequestsStraightToTheUpstream() async throws {
        let controllerProcess = try CoreLoopTests.startController()
        let controller = try await controllerProcess.url(of: "controller")
        let gateway = try await controllerProcess.url(of: "gateway")
        // The upstream is a simulator worker attached to no controller (it keeps retrying one that is not there).
        let upstreamProcess = try CoreLoopTests.startWorker(controller: "http://127.0.0.1:\(try freePort())", name: "upstream")
        let upstream = try await upstreamProcess.url(of: "worker")
        let sidecarProcess = try CoreLoopTests.startWorker(
            controller: controller,
            extra: ["--backend", "openai", "--upstream", upstream + "/v1", "--data-plane", "direct"],
            name: "sidecar"
        )
        let sidecar = try await sidecarProcess.url(of: "worker")
        try await CoreLoopTests.waitForWorkers(controller, count: 1)

        let record = try #require(try await HTTP.workers(controller).first)
        #expect(record.address == upstream)
        #expect(record.controlAddress == sidecar)
        #expect(record.models == ["sim-model"])

        try await eventually("the gateway lists the model") {
            try await HTTP.get(gateway + "/v1/models").text.contains("\"sim-model\"")
        }
        for stream in [false, true] {
            let reply = try await HTTP.post(gateway + "/v1/chat/completions", json: HTTP.chatBody(model: "sim-model", stream: stream))
            #expect(reply.status == 200)
            #expect(reply.headers["x-switchyard-worker"] == upstream)
            if stream { #expect(reply.events.last == "[DONE]") }
        }

        // A drain named by the registered address reaches the sidecar, which beats the new state.
        let drained = try await HTTP.post(controller + "/api/v1/workers/drain", json: #"{"address":"\#(upstream)"}"#)
        #expect(drained.status == 200)
        #expect(try await HTTP.get(sidecar + "/worker_get_status").text.contains("\"draining\""))
    }
}
