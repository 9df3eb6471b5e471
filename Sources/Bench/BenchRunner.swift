import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import SwitchyardCore

/// Drives load at an OpenAI-compatible endpoint and measures it, closed loop (fixed concurrency)
/// or open loop (fixed arrival rate).
public struct BenchRunner: Sendable {
    public let configuration: BenchConfiguration
    private let bodies: [ByteBuffer]
    private let endpoint: String

    public init(configuration: BenchConfiguration) throws {
        self.configuration = configuration
        let base = configuration.url.trimmingSuffix("/")
        endpoint = (base.hasSuffix("/v1") ? base : base + "/v1") + "/chat/completions"
        bodies = try configuration.prompts.map { messages in
            let body = RequestBody(
                model: configuration.model,
                messages: messages,
                stream: configuration.stream,
                maxTokens: configuration.maxTokens,
                streamOptions: configuration.stream ? .init(includeUsage: true) : nil
            )
            return ByteBuffer(data: try JSONEncoder.switchyard.encode(body))
        }
    }

    /// Runs the warm-up, then the measured load; `progress` hears the count of finished requests.
    public func run(progress: @escaping @Sendable (Int) -> Void = { _ in }) async throws -> BenchReport {
        var clientConfiguration = HTTPClient.Configuration(timeout: .init(connect: .seconds(5), read: .seconds(600)))
        clientConfiguration.connectionPool = .init(
            idleTimeout: .seconds(60),
            concurrentHTTP1ConnectionsPerHostSoftLimit: max(configuration.concurrency, 64)
        )
        // A load generator measures the server it was pointed at, never one a redirect names.
        clientConfiguration.redirectConfiguration = .disallow
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: clientConfiguration)
        do {
            if configuration.warmup > 0 {
                _ = await closedLoop(client: client, requests: configuration.warmup, until: nil) { _ in }
            }
            let cpuBefore = Self.cpuSeconds()
            let started = ContinuousClock.now
            let deadline = configuration.duration.map { started + $0 }
            let samples =
                if let rate = configuration.rate {
                    await openLoop(client: client, rate: rate, requests: configuration.requests, until: deadline, progress: progress)
                } else {
                    await closedLoop(client: client, requests: configuration.requests, until: deadline, progress: progress)
                }
            let report = BenchReport(
                samples: samples,
                elapsed: ContinuousClock.now - started,
                cpuSeconds: Self.cpuSeconds() - cpuBefore,
                streamed: configuration.stream
            )
            try await client.shutdown()
            return report
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// `concurrency` loops, each sending its next request when the last one finished. Over plain
    /// HTTP each loop is a connection driven on its event loop (``ClosedLoopHandler``); over
    /// HTTPS, async-http-client's.
    private func closedLoop(
        client: HTTPClient,
        requests: Int?,
        until deadline: ContinuousClock.Instant?,
        progress: @escaping @Sendable (Int) -> Void
    ) async -> [BenchSample] {
        if let target = PlainTarget(endpoint) {
            return await closedLoop(target, requests: requests, until: deadline, progress: progress)
        }
        let tickets = TicketCounter()
        return await withTaskGroup(of: [BenchSample].self) { group in
            for _ in 0..<configuration.concurrency {
                group.addTask {
                    var samples: [BenchSample] = []
                    while deadline.map({ ContinuousClock.now < $0 }) ?? true {
                        let ticket = tickets.next()
                        if let requests, ticket >= requests { break }
                        samples.append(await send(bodies[ticket % bodies.count], client: client))
                        progress(tickets.finished())
                    }
                    return samples
                }
            }
            return await group.reduce(into: []) { $0 += $1 }
        }
    }

    /// Where a plain-HTTP endpoint is, for the closed loop's own connections.
    struct PlainTarget {
        var host: String
        var port: Int
        var path: String

        init?(_ endpoint: String) {
            guard let url = URL(string: endpoint), url.scheme?.lowercased() == "http", let host = url.host else { return nil }
            self.host = host
            port = url.port ?? 80
            path = url.path.isEmpty ? "/" : url.path
        }
    }

    private func closedLoop(
        _ target: PlainTarget,
        requests: Int?,
        until deadline: ContinuousClock.Instant?,
        progress: @escaping @Sendable (Int) -> Void
    ) async -> [BenchSample] {
        let tickets = ClosedLoopTickets(requests: requests, deadline: deadline, progress: progress)
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: target.path)
        head.headers.add(name: "host", value: target.host.contains(":") ? "[\(target.host)]:\(target.port)" : "\(target.host):\(target.port)")
        head.headers.add(name: "content-type", value: "application/json")
        if let apiKey = configuration.apiKey { head.headers.add(name: "authorization", value: "Bearer \(apiKey)") }
        return await withTaskGroup(of: [BenchSample].self) { group in
            for _ in 0..<configuration.concurrency {
                group.addTask { [head] in
                    var samples: [BenchSample] = []
                    while tickets.hasWork {
                        do {
                            let outcome = try await connection(to: target, head: head, tickets: tickets)
                            samples += outcome.samples
                            if outcome.done { break }
                        } catch {
                            // Refused or timed out: one transport failure, then try again shortly.
                            guard tickets.nextTicket() != nil else { break }
                            samples.append(BenchSample(error: "transport", latency: .zero))
                            tickets.finishedOne()
                            try? await Task.sleep(for: .milliseconds(100))
                        }
                    }
                    return samples
                }
            }
            return await group.reduce(into: []) { $0 += $1 }
        }
    }

    /// One keep-alive connection running requests until it ends (see ``ClosedLoopHandler``).
    private func connection(to target: PlainTarget, head: HTTPRequestHead, tickets: ClosedLoopTickets) async throws -> ClosedLoopHandler.Outcome {
        let eventLoop = MultiThreadedEventLoopGroup.singleton.next()
        let finished = eventLoop.makePromise(of: ClosedLoopHandler.Outcome.self)
        let (bodies, streamed) = (bodies, configuration.stream)
        do {
            _ = try await ClientBootstrap(group: eventLoop)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connectTimeout(.seconds(5))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        try channel.pipeline.syncOperations.addHandlers([
                            IdleStateHandler(readTimeout: .seconds(600)),
                            ClosedLoopHandler(head: head, bodies: bodies, streamed: streamed, tickets: tickets, finished: finished),
                        ])
                    }
                }
                .connect(host: target.host, port: target.port)
                .get()
        } catch {
            finished.fail(error)
            throw error
        }
        return try await finished.futureResult.get()
    }

    /// Requests started on a fixed schedule, however slowly the server answers.
    private func openLoop(
        client: HTTPClient,
        rate: Double,
        requests: Int?,
        until deadline: ContinuousClock.Instant?,
        progress: @escaping @Sendable (Int) -> Void
    ) async -> [BenchSample] {
        let interval = Duration.nanoseconds(Int64(1e9 / rate))
        let start = ContinuousClock.now
        let finished = TicketCounter()
        return await withTaskGroup(of: BenchSample.self) { group in
            var index = 0
            while requests.map({ index < $0 }) ?? true {
                let due = start + interval * index
                if let deadline, due >= deadline { break }
                try? await Task.sleep(until: due)
                let body = bodies[index % bodies.count]
                group.addTask {
                    let sample = await send(body, client: client)
                    progress(finished.finished())
                    return sample
                }
                index += 1
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
    }

    /// One request, timed; streams are read event by event for first-token and inter-token times.
    private func send(_ body: ByteBuffer, client: HTTPClient) async -> BenchSample {
        var request = HTTPClientRequest(url: endpoint)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        if let apiKey = configuration.apiKey { request.headers.add(name: "authorization", value: "Bearer \(apiKey)") }
        request.body = .bytes(body)
        let started = ContinuousClock.now
        do {
            let response = try await client.execute(request, timeout: .seconds(600))
            guard response.status == .ok else {
                _ = try? await response.body.collect(upTo: 1 << 20)
                return BenchSample(error: String(response.status.code), latency: ContinuousClock.now - started)
            }
            guard configuration.stream else {
                let reply = try await response.body.collect(upTo: 64 << 20)
                let tokens = (try? JSONValue(parsing: reply))?.object.flatMap(StreamReader.completionTokens(in:))
                return BenchSample(latency: ContinuousClock.now - started, outputTokens: tokens ?? 0)
            }
            var reader = StreamReader(started: started)
            var parser = ServerSentEventParser()
            for try await buffer in response.body {
                let now = ContinuousClock.now
                for data in parser.feed(buffer) { reader.read(data, at: now) }
            }
            return reader.sample(finishedAt: ContinuousClock.now)
        } catch {
            return BenchSample(error: "transport", latency: ContinuousClock.now - started)
        }
    }

    /// User plus system CPU time of this process so far.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    struct RequestBody: Encodable {
        struct StreamOptions: Encodable {
            var includeUsage: Bool
            enum CodingKeys: String, CodingKey { case includeUsage = "include_usage" }
        }
        var model: String
        var messages: [BenchMessage]
        var stream: Bool
        var maxTokens: Int?
        var streamOptions: StreamOptions?

        enum CodingKeys: String, CodingKey {
            case model, messages, stream
            case maxTokens = "max_tokens"
            case streamOptions = "stream_options"
        }
    }
}

/// A shared counter of started and finished requests.
final class TicketCounter: Sendable {
    private let started = Atomic<Int>(0)
    private let done = Atomic<Int>(0)

    var issued: Int { started.load(ordering: .relaxed) }

    func next() -> Int { started.wrappingAdd(1, ordering: .relaxed).oldValue }
    func finished() -> Int { done.wrappingAdd(1, ordering: .relaxed).newValue }
}
