import AsyncHTTPClient
import Foundation
import NIOCore
import Synchronization
import SwitchyardCore

/// Registers many fake workers with a controller through FastChat's `/register_worker` (status
/// included, so the controller never calls them back), beats for each once per interval with the
/// beats spread evenly, and unregisters them at the end.
///
/// The beats go out on `connections` lanes: lane j owns workers j, j + connections, …, so each
/// lane's beats are due in order and one connection per lane suffices.
public struct HeartbeatLoad: Sendable {
    public let configuration: HeartbeatLoadConfiguration

    public init(configuration: HeartbeatLoadConfiguration) {
        self.configuration = configuration
    }

    /// Registers, beats for the configured duration, unregisters; `beating` is told when the
    /// registrations are done and the measured beats start (with the count registered).
    public func run(beating: @Sendable (Int) -> Void = { _ in }) async throws -> HeartbeatLoadReport {
        let base = configuration.controllerURL.trimmingSuffix("/")
        let registrations = try (0..<configuration.workers).map { worker in
            ByteBuffer(data: try JSONEncoder.switchyard.encode(FastChat.RegisterWorker(
                workerName: configuration.address(of: worker),
                workerStatus: WorkerStatus(modelNames: [configuration.model], api: "openai", state: .ready)
            )))
        }
        let beats = try (0..<configuration.workers).map { worker in
            ByteBuffer(data: try JSONEncoder.switchyard.encode(FastChat.HeartBeat(workerName: configuration.address(of: worker), queueLength: 0, state: .ready)))
        }
        let names = try (0..<configuration.workers).map { worker in
            ByteBuffer(data: try JSONEncoder.switchyard.encode(FastChat.WorkerName(workerName: configuration.address(of: worker))))
        }
        var clientConfiguration = HTTPClient.Configuration(timeout: .init(connect: .seconds(5), read: .seconds(10)))
        clientConfiguration.connectionPool = .init(
            idleTimeout: .seconds(60),
            concurrentHTTP1ConnectionsPerHostSoftLimit: configuration.connections
        )
        // A load generator measures the server it was pointed at, never one a redirect names.
        clientConfiguration.redirectConfiguration = .disallow
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: clientConfiguration)
        let counters = HeartbeatCounters()
        let lanes = (0..<configuration.connections).map { lane in
            Array(stride(from: lane, to: configuration.workers, by: configuration.connections))
        }

        await forEachLane(lanes) { worker in
            if await post(base + "/register_worker", registrations[worker], client: client) != nil { counters.registered.add(1, ordering: .relaxed) }
        }

        beating(counters.registered.load(ordering: .relaxed))
        let cpuBefore = BenchRunner.cpuSeconds()
        let start = ContinuousClock.now
        let end = start + configuration.duration
        await withTaskGroup(of: Void.self) { group in
            for workers in lanes where !workers.isEmpty {
                group.addTask {
                    var round = 0
                    while true {
                        for worker in workers {
                            let due = start + configuration.due(worker: worker, round: round)
                            // A lane that fell behind stops at the deadline: the rate achieved is the measure.
                            guard due < end, ContinuousClock.now < end else { return }
                            if due > .now { try? await Task.sleep(until: due) }
                            counters.sent.add(1, ordering: .relaxed)
                            guard let reply = await post(base + "/receive_heart_beat", beats[worker], client: client) else {
                                counters.failed.add(1, ordering: .relaxed)
                                continue
                            }
                            if (try? JSONDecoder().decode(FastChat.HeartBeatReply.self, from: reply))?.exist == false {
                                counters.forgotten.add(1, ordering: .relaxed)
                                _ = await post(base + "/register_worker", registrations[worker], client: client)
                            }
                        }
                        round += 1
                    }
                }
            }
        }
        let elapsed = ContinuousClock.now - start
        let cpuSeconds = BenchRunner.cpuSeconds() - cpuBefore

        await forEachLane(lanes) { worker in
            _ = await post(base + "/api/v1/workers/unregister", names[worker], client: client)
        }
        try await client.shutdown()
        return HeartbeatLoadReport(
            workers: configuration.workers,
            registered: counters.registered.load(ordering: .relaxed),
            sent: counters.sent.load(ordering: .relaxed),
            failed: counters.failed.load(ordering: .relaxed),
            forgotten: counters.forgotten.load(ordering: .relaxed),
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
            targetBeatsPerSecond: Double(configuration.workers) / (Double(configuration.interval.components.seconds) + Double(configuration.interval.components.attoseconds) / 1e18),
            cpuSeconds: cpuSeconds
        )
    }

    /// Runs `body` for every worker as fast as the lanes allow, one request per lane at a time.
    private func forEachLane(_ lanes: [[Int]], _ body: @escaping @Sendable (Int) async -> Void) async {
        await withTaskGroup(of: Void.self) { group in
            for workers in lanes {
                group.addTask {
                    for worker in workers { await body(worker) }
                }
            }
        }
    }

    /// POSTs JSON; the reply body on HTTP 200, nil on any failure.
    private func post(_ url: String, _ body: ByteBuffer, client: HTTPClient) async -> ByteBuffer? {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        if let token = configuration.registrationToken { request.headers.add(name: "authorization", value: "Bearer \(token)") }
        request.body = .bytes(body)
        guard let response = try? await client.execute(request, timeout: .seconds(10)) else { return nil }
        let reply = try? await response.body.collect(upTo: 1 << 20)
        return response.status == .ok ? reply : nil
    }
}

/// Counts shared by the lanes.
final class HeartbeatCounters: Sendable {
    let registered = Atomic<Int>(0)
    let sent = Atomic<Int>(0)
    let failed = Atomic<Int>(0)
    let forgotten = Atomic<Int>(0)
}
