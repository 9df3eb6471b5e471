import Foundation
import Testing

/// `switchyard bench` against a live gateway with a simulated worker.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct BenchCommandTests {
    @Test func benchReportsEveryRequestAndTheTokensItGot() async throws {
        let controllerProcess = try SwitchyardProcess("controller", ["controller", "--port", "0", "--gateway-port", "0", "--no-arena"])
        let controller = try await controllerProcess.url(of: "controller")
        let gateway = try await controllerProcess.url(of: "gateway")
        let worker = try CoreLoopTests.startWorker(controller: controller, extra: ["--sim-output-tokens", "6"])
        _ = try await worker.url(of: "worker")
        try await eventually("the gateway routes to the worker") {
            try await HTTP.get(gateway + "/v1/models").text.contains("sim-model")
        }

        for mode in [["--stream"], []] {
            let bench = try await SwitchyardProcess.runToEnd(
                SwitchyardProcess.executable,
                ["bench", "--url", gateway, "--model", "sim-model", "--concurrency", "4", "--requests", "40", "--warmup", "4", "--json"] + mode,
                errors: .standardError
            )
            #expect(bench.status == 0)
            let report = try #require(try JSONSerialization.jsonObject(with: Data(bench.output.utf8)) as? [String: Any])
            #expect(report["requests"] as? Int == 40)
            #expect(report["succeeded"] as? Int == 40)
            #expect(report["output_tokens"] as? Int == 240)
            #expect((report["errors"] as? [String: Int])?.isEmpty == true)
            #expect((report["time_to_first_token_ms"] != nil) == !mode.isEmpty)
        }
    }
}
