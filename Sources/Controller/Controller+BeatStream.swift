import Hummingbird
import NIOCore
import ServiceLifecycle
import SwitchyardCore

extension Controller {
    /// Adds ``FastChat/HeartBeat/streamPath``, where a worker streams its heartbeats: one long
    /// POST with an NDJSON body of beats, answered on the same exchange with an NDJSON
    /// `{"exist":…}` line whenever the answer changes (the first beat's included). Without a
    /// reply per beat, a beat costs the controller one parse and one registry update.
    ///
    /// When the stream breaks (the worker died, its host vanished, it sent something that is not
    /// a beat), the workers it carried are removed at once; the expiry still catches a stream
    /// that stays open but falls silent. A stream that ends cleanly removes nothing: the
    /// controller ends each after ``ControllerConfiguration/beatStreamLifetime`` (inside the
    /// server's request deadline), the worker then ends its body and opens the next.
    func addBeatStreamRoute<Context: RequestContext>(to router: Router<Context>) {
        let access = configuration.access
        router.post(RouterPath(stringLiteral: FastChat.HeartBeat.streamPath)) { request, _ -> Response in
            try access.registration.authorize(request)
            let stream = store.openBeatStream()
            return Response(
                status: .ok,
                headers: [.contentType: "application/x-ndjson", .cacheControl: "no-cache"],
                body: ResponseBody { writer in
                    try await relayBeats(from: request.body, over: stream, to: &writer)
                }
            )
        }
    }

    static let knownLine = ByteBuffer(string: "{\"exist\":true}\n")
    static let unknownLine = ByteBuffer(string: "{\"exist\":false}\n")

    /// Reads beats and writes the answers until the stream ends or breaks. When its lifetime is
    /// up or the controller shuts down, the response ends first and the reading goes on until
    /// the worker, seeing that, ends its body: cancelling the read instead closes the connection
    /// under the response's last bytes, and the worker takes that for a break.
    private func relayBeats(from body: RequestBody, over stream: UInt64, to writer: inout any ResponseBodyWriter) async throws {
        let (answers, sink) = AsyncStream<ByteBuffer>.makeStream()
        let lifetime = configuration.beatStreamLifetime
        let ending = Task {
            await withTaskGroup(of: Void.self) { group in
                // An endless request would otherwise hold up the server's graceful shutdown.
                group.addTask { try? await gracefulShutdown() }
                group.addTask { try? await Task.sleep(for: lifetime) }
                await group.next()
                group.cancelAll()
            }
            sink.finish()
        }
        defer { ending.cancel() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { sink.finish() }
                await readBeats(from: body, over: stream) { sink.yield($0) }
            }
            for await answer in answers {
                try await writer.write(answer)
            }
            try await writer.finish(nil)
        }
    }

    private func readBeats(from body: RequestBody, over stream: UInt64, answer: (ByteBuffer) -> Void) async {
        var lines = LineSplitter(maximumLength: FastChat.HeartBeat.maximumSize)
        var carried = Set<String>()
        var lastAnswer: Bool?
        do {
            for try await buffer in body {
                for line in try lines.append(buffer) {
                    let beat = try FastChat.HeartBeat(parsing: line)
                    let exists = store.heartbeat(beat, stream: stream)
                    ControllerMetrics.heartbeat(known: exists)
                    // Only registered names, so the set stays within the registry's capacity.
                    if exists { carried.insert(beat.workerName) }
                    if exists != lastAnswer {
                        answer(exists ? Self.knownLine : Self.unknownLine)
                        lastAnswer = exists
                    }
                }
            }
            if !lines.hasPartialLine { return }
            answer(Self.errorLine(OpenAIError.badRequest("The heartbeat stream ended inside a line.")))
        } catch is CancellationError {
            return
        } catch {
            // Shutting down is not the workers' death: the gateways keep them until a new controller says otherwise.
            if Task.isCancelled { return }
            if let refusal = Self.refusal(for: error) { answer(Self.errorLine(refusal)) }
        }
        let gone = store.beatStreamBroke(stream, addresses: carried)
        if !gone.isEmpty { ControllerMetrics.beatStreamBroke(removing: gone.count) }
        for address in gone {
            logger.warning("worker removed: its heartbeat stream broke", metadata: ["worker": "\(address)"])
        }
    }

    /// What to tell a worker whose stream carried something other than beats; nil for a broken connection.
    private static func refusal(for error: any Error) -> OpenAIError? {
        switch error {
        case let error as OpenAIError: error
        case let error as LineSplitter.LineTooLong: OpenAIError.badRequest("A heartbeat line is over \(error.limit) bytes.")
        default: nil
        }
    }

    private static func errorLine(_ error: OpenAIError) -> ByteBuffer {
        var line = ByteBuffer(bytes: error.jsonBody())
        line.writeString("\n")
        return line
    }
}
