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
        let beatLines = beats.map { beat in
            var line = beat
            line.writeString("\n")
            return line
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
                    let beating = Lane(workers: workers, start: start, end: end)
                    if configuration.streamed {
                        await streamBeats(of: beating, lines: beatLines, base: base, client: client, counters: counters)
                    } else {
                        await postBeats(of: beating, beats: beats, registrations: registrations, base: base, client: client, counters: counters)
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

    /// One lane's beats, due in order; where the lane is survives the streams it is sent over.
    final class Lane: Sendable {
        let workers: [Int]
        let start: ContinuousClock.Instant
        let end: ContinuousClock.Instant
        private let position = Mutex((round: 0, index: 0))

        init(workers: [Int], start: ContinuousClock.Instant, end: ContinuousClock.Instant) {
            self.workers = workers
            self.start = start
            self.end = end
        }

        /// The next beat and when it is due; nil once the run is over. A lane that fell behind
        /// stops at the deadline: the rate achieved is the measure.
        func next(_ configuration: HeartbeatLoadConfiguration) -> (worker: Int, due: ContinuousClock.Instant)? {
            let (round, index) = position.withLock { $0 }
            let worker = workers[index]
            let due = start + configuration.due(worker: worker, round: round)
            guard due < end, ContinuousClock.now < end else { return nil }
            return (worker, due)
        }

        func advance() {
            position.withLock { position in
                position.index += 1
                if position.index == workers.count { (position.round, position.index) = (position.round + 1, 0) }
            }
        }

        var isOver: Bool { ContinuousClock.now >= end }
    }

    /// FastChat's way: one POST per beat, re-registering a worker the controller forgot.
    private func postBeats(
        of lane: Lane, beats: [ByteBuffer], registrations: [ByteBuffer], base: String, client: HTTPClient, counters: HeartbeatCounters
    ) async {
        while let (worker, due) = lane.next(configuration) {
            if due > .now { try? await Task.sleep(until: due) }
            lane.advance()
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
    }

    /// Switchyard's way: the lane's beats as lines of one stream, opened again when the
    /// controller ends it; a stream that breaks or is refused counts as failed.
    private func streamBeats(of lane: Lane, lines: [ByteBuffer], base: String, client: HTTPClient, counters: HeartbeatCounters) async {
        while !lane.isOver {
            let (body, sink) = AsyncStream<ByteBuffer>.makeStream()
            var request = HTTPClientRequest(url: base + FastChat.HeartBeat.streamPath)
            request.method = .POST
            request.headers.add(name: "content-type", value: "application/x-ndjson")
            if let token = configuration.registrationToken { request.headers.add(name: "authorization", value: "Bearer \(token)") }
            request.body = .stream(body, length: .unknown)
            let ended = await withTaskGroup(of: Void.self) { group -> Bool in
                group.addTask {
                    defer { sink.finish() }
                    while let (worker, due) = lane.next(configuration) {
                        if due > .now {
                            do { try await Task.sleep(until: due) } catch { return }
                        }
                        sink.yield(lines[worker])
                        lane.advance()
                        counters.sent.add(1, ordering: .relaxed)
                    }
                }
                defer { group.cancelAll() }
                guard let response = try? await client.execute(request, timeout: .seconds(10)), response.status == .ok else { return false }
                var splitter = LineSplitter(maximumLength: 1 << 20)
                do {
                    for try await buffer in response.body {
                        for line in try splitter.append(buffer) {
                            let reply = try JSONDecoder().decode(FastChat.HeartBeatReply.self, from: line)
                            if !reply.exist { counters.forgotten.add(1, ordering: .relaxed) }
                        }
                    }
                } catch {
                    return false
                }
                return true
            }
            if !ended, !lane.isOver {
                counters.failed.add(1, ordering: .relaxed)
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
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
