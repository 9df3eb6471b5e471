import AsyncHTTPClient
import HTTPTypes
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import SwitchyardCore
import Testing

@testable import Controller

/// Heartbeat streams read in the pipeline, on an embedded channel: answers, removal when a stream
/// breaks, none when it ends cleanly or the server shuts down. Real workers streaming to a real
/// controller are in the integration tests.
@Suite struct BeatStreamHandlerTests {
    static func controller(token: String? = nil, lifetime: Duration = .seconds(30)) -> Controller {
        let access = ControllerAccess(registrationToken: token.flatMap(AccessToken.init), adminToken: nil, loopback: true, allowUnauthenticatedWorkers: false)
        return Controller(configuration: .init(access: access, beatStreamLifetime: lifetime), httpClient: HTTPClient.shared, logger: Logger(label: "test"))
    }

    static func channel(_ controller: Controller) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel(handler: BeatStreamHandler(controller: controller, browserGuard: BrowserRequestGuard(loopback: true)))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return channel
    }

    static func register(_ address: String, in controller: Controller) {
        let status = WorkerStatus(modelNames: ["m"], queueLength: 0, api: "openai")
        controller.store.register(FastChat.RegisterWorker(workerName: address, workerStatus: status), status: status)
    }

    static func open(_ channel: EmbeddedChannel, token: String? = nil) throws {
        var fields: HTTPFields = [.contentType: "application/x-ndjson", .transferEncoding: "chunked"]
        if let token { fields[.authorization] = "Bearer \(token)" }
        try channel.writeInbound(HTTPRequestPart.head(HTTPRequest(method: .post, scheme: nil, authority: "127.0.0.1", path: FastChat.HeartBeat.streamPath, headerFields: fields)))
    }

    /// A stream opened on a new connection that carried one beat of `http://w1`, registered first.
    static func streamCarryingW1(_ controller: Controller) throws -> EmbeddedChannel {
        register("http://w1", in: controller)
        let channel = try channel(controller)
        try open(channel)
        try channel.writeInbound(beat("http://w1"))
        return channel
    }

    static func beat(_ address: String) -> HTTPRequestPart {
        .body(ByteBuffer(string: #"{"worker_name":"\#(address)","queue_length":0}"# + "\n"))
    }

    /// The answer so far: its status, its body, and whether it has ended.
    static func answer(_ channel: EmbeddedChannel) throws -> (status: HTTPResponse.Status?, body: String, ended: Bool) {
        var answer: (status: HTTPResponse.Status?, body: String, ended: Bool) = (nil, "", false)
        while let part = try channel.readOutbound(as: HTTPResponsePart.self) {
            switch part {
            case .head(let head): answer.status = head.status
            case .body(let body): answer.body += String(buffer: body)
            case .end: answer.ended = true
            }
        }
        return answer
    }

    @Test func beatsAreAnsweredOnlyWhenTheAnswerChanges() throws {
        let controller = Self.controller()
        Self.register("http://w1", in: controller)
        let channel = try Self.channel(controller)
        try Self.open(channel)
        for _ in 0..<3 { try channel.writeInbound(Self.beat("http://w1")) }
        try channel.writeInbound(Self.beat("http://stranger"))
        channel.pipeline.fireChannelReadComplete()
        let answer = try Self.answer(channel)
        #expect(answer.status == .ok && !answer.ended)
        #expect(answer.body == "{\"exist\":true}\n{\"exist\":false}\n")
    }

    @Test func aBrokenConnectionRemovesTheWorkersItCarried() throws {
        let controller = Self.controller()
        Self.register("http://w2", in: controller)
        let channel = try Self.streamCarryingW1(controller)
        _ = try channel.close().wait()
        #expect(controller.store.records().map(\.address) == ["http://w2"])
    }

    @Test func garbageGetsAnErrorLineAndRemoval() throws {
        let controller = Self.controller()
        let channel = try Self.streamCarryingW1(controller)
        try channel.writeInbound(HTTPRequestPart.body(ByteBuffer(string: "not json\n")))
        let answer = try Self.answer(channel)
        #expect(answer.ended && answer.body.contains("\"error\""))
        #expect(controller.store.records().isEmpty)
        try channel.writeInbound(Self.beat("http://w1"))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        #expect(try Self.answer(channel).body.isEmpty, "the rest is dropped")
    }

    @Test func aCleanEndKeepsTheWorkers() throws {
        let controller = Self.controller()
        let channel = try Self.streamCarryingW1(controller)
        try channel.writeInbound(HTTPRequestPart.end(nil))
        #expect(try Self.answer(channel).ended)
        _ = try channel.close().wait()
        #expect(controller.store.records().count == 1)
    }

    @Test func aShutdownEndsTheAnswerAndRemovesNobody() throws {
        let controller = Self.controller()
        let channel = try Self.streamCarryingW1(controller)
        channel.pipeline.fireUserInboundEventTriggered(ServerQuiescing())
        #expect(try Self.answer(channel).ended)
        _ = try channel.close().wait()
        #expect(controller.store.records().count == 1)
    }

    @Test func theAnswerEndsWhenItsLifetimeIsUp() throws {
        let controller = Self.controller(lifetime: .seconds(5))
        let channel = try Self.channel(controller)
        try Self.open(channel)
        channel.embeddedEventLoop.advanceTime(by: .seconds(4))
        #expect(try !Self.answer(channel).ended)
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(try Self.answer(channel).ended)
    }

    @Test func withoutTheRegistrationTokenTheStreamIsRefused() throws {
        let controller = Self.controller(token: "fleet-secret-token-0123")
        Self.register("http://w1", in: controller)
        let channel = try Self.channel(controller)
        try Self.open(channel)
        try channel.writeInbound(Self.beat("http://w1"))
        let answer = try Self.answer(channel)
        #expect(answer.status == .unauthorized && answer.ended)
        try channel.writeInbound(HTTPRequestPart.end(nil))
        _ = try channel.close().wait()
        #expect(controller.store.records().count == 1, "a refused stream carried nobody")
    }

    @Test func otherRequestsGoToTheRouter() throws {
        let channel = try Self.channel(Self.controller())
        try channel.writeInbound(HTTPRequestPart.head(HTTPRequest(method: .post, scheme: nil, authority: "127.0.0.1", path: "/receive_heart_beat")))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        #expect(try channel.readInbound(as: HTTPRequestPart.self) != nil)
        #expect(try Self.answer(channel).status == nil)
    }
}
