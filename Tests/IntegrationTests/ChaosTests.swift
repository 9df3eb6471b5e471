import AsyncHTTPClient
import Foundation
import NIOCore
import Synchronization
import SwitchyardCore
import Testing

/// Steady traffic while workers are killed, restarted and drained: nothing may be lost.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct ChaosTests {
    /// What the clients saw.
    struct Tally: Sendable, CustomStringConvertible {
        var nonStreamOK = 0
        var nonStreamFailed = 0
        var streamCompleted = 0
        var streamEndedWithErrorEvent = 0
        var streamTruncated = 0
        var streamRejected = 0
        var failures: [String] = []

        var description: String {
            "non-stream ok \(nonStreamOK), non-stream failed \(nonStreamFailed), stream completed \(streamCompleted), "
                + "stream ended with error event \(streamEndedWithErrorEvent), stream truncated \(streamTruncated), stream rejected \(streamRejected)"
        }
    }

    static func startWorker(port: Int, controller: String, name: String) throws -> SwitchyardProcess {
        try CoreLoopTests.startWorker(
            controller: controller,
            beat: 0.5,
            // A quarter second before the first token: a dying worker always has requests that
            // have not had a byte yet, so every run sees them move to another worker.
            extra: ["--port", String(port), "--sim-ttft", "0.25", "--sim-tokens-per-second", "200", "--sim-output-tokens", "12"],
            name: name
        )
    }

    @Test func noRequestIsLostWhileWorkersDieAndDrain() async throws {
        let controllerProcess = try SwitchyardProcess(
            "controller",
            ["controller", "--port", "0", "--gateway-port", "0", "--heart-beat-expiration", "3", "--probe-interval", "0.25", "--probe-timeout", "1"]
        )
        let controller = try await controllerProcess.url(of: "controller")
        let gateway = try await controllerProcess.url(of: "gateway")
        let ports = try (0..<3).map { _ in try freePort() }
        let workers = Locked<[SwitchyardProcess]>([])
        for (index, port) in ports.enumerated() {
            let worker = try Self.startWorker(port: port, controller: controller, name: "chaos-\(index)")
            _ = try await worker.url(of: "worker")
            workers.withLock { $0.append(worker) }
        }
        let addresses = ports.map { "http://127.0.0.1:\($0)" }
        try await CoreLoopTests.waitForWorkers(controller, count: 3)
        try await eventually("the gateway sees the model") {
            try await HTTP.get(gateway + "/v1/models").text.contains("sim-model")
        }

        let tally = Locked(Tally())
        let runFor = Duration.seconds(20)
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for client in 0..<6 {
                group.addTask {
                    var round = 0
                    while ContinuousClock.now - start < runFor {
                        round += 1
                        if (client + round) % 2 == 0 {
                            let reply = try await HTTP.post(gateway + "/v1/chat/completions", json: HTTP.chatBody(model: "sim-model"))
                            tally.withLock { tally in
                                if reply.status == 200, (try? reply.decode(ChatCompletion.self)) != nil {
                                    tally.nonStreamOK += 1
                                } else {
                                    tally.nonStreamFailed += 1
                                    tally.failures.append("non-stream \(reply.status): \(reply.text)")
                                }
                            }
                        } else {
                            let reply = try await HTTP.post(gateway + "/v1/chat/completions", json: HTTP.chatBody(model: "sim-model", stream: true))
                            let events = reply.events
                            tally.withLock { tally in
                                if reply.status != 200 {
                                    tally.streamRejected += 1
                                    tally.failures.append("stream \(reply.status): \(reply.text)")
                                } else if events.last == "[DONE]" {
                                    tally.streamCompleted += 1
                                } else if let last = events.last, last.hasPrefix(#"{"error""#) {
                                    tally.streamEndedWithErrorEvent += 1
                                } else {
                                    tally.streamTruncated += 1
                                    tally.failures.append("truncated stream: \(events.suffix(2))")
                                }
                            }
                        }
                    }
                }
            }
            // The killer: every few seconds one of the first two workers dies hard and comes back.
            group.addTask {
                var victim = 0
                while ContinuousClock.now - start < runFor - .seconds(4) {
                    try await Task.sleep(for: .seconds(2.5))
                    let process = workers.withLock { $0[victim] }
                    process.signal(SIGKILL)
                    _ = try await process.exitStatus()
                    // Seen dead: it leaves the directory when its heartbeat stream breaks, or the probes open its circuit.
                    try await eventually(timeout: .seconds(15), "the gateway stopped routing to the killed worker") {
                        let circuit = try await FailureHandlingTests.circuit(of: addresses[victim], gateway: gateway)
                        return circuit == nil || circuit == "open"
                    }
                    try await Task.sleep(for: .seconds(1))
                    let restarted = try Self.startWorker(port: ports[victim], controller: controller, name: "chaos-\(victim)")
                    _ = try await restarted.url(of: "worker")
                    workers.withLock { $0[victim] = restarted }
                    victim = 1 - victim
                }
            }
            // The operator: drains the third worker for a while, then puts it back.
            group.addTask {
                try await Task.sleep(for: .seconds(5))
                let drain = try await SwitchyardProcess.run(["status", "drain", addresses[2], "--controller", controller, "--wait"])
                #expect(drain.status == 0, "\(drain.output)")
                try await Task.sleep(for: .seconds(5))
                let undrain = try await SwitchyardProcess.run(["status", "undrain", addresses[2], "--controller", controller])
                #expect(undrain.status == 0, "\(undrain.output)")
            }
            try await group.waitForAll()
        }

        let result = tally.withLock { $0 }
        let retries = controllerProcess.log.components(separatedBy: "retrying on another worker").count - 1
        print("chaos: \(result), gateway retries \(retries)")
        #expect(result.nonStreamFailed == 0, "\(result.failures.prefix(5))")
        #expect(result.streamTruncated == 0, "\(result.failures.prefix(5))")
        #expect(result.streamRejected == 0, "\(result.failures.prefix(5))")
        // Traffic ran through every kill; how much depends on the machine's load, so no rate is asserted.
        #expect(result.nonStreamOK > 20)
        #expect(result.streamCompleted > 20)
        // Kills happened under load, so some requests had to move to another worker.
        #expect(retries > 0)
    }
}
