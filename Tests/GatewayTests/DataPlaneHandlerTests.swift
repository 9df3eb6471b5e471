import AsyncHTTPClient
import Foundation
import HTTPTypes
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import Testing

@testable import Gateway
@testable import SwitchyardCore

/// The data plane's connection handling with the gateway's admission, on an embedded channel:
/// which requests it takes, what it answers before a relay starts, and the order of answers on one
/// connection. Relayed requests are tested against real processes in the integration tests.
@Suite struct DataPlaneHandlerTests {
    static let keys = try! APIKeySet(parsing: "sk-test-key-0123456789")

    static func channel(keys: APIKeySet = Self.keys, maxBodySize: Int = 1024) throws -> EmbeddedChannel {
        let gateway = Gateway(httpClient: HTTPClient.shared, logger: Logger(label: "test"))
        let handler = DataPlaneHandler(GatewayDataPlane(gateway: gateway, keys: keys, browserGuard: BrowserRequestGuard(loopback: true)), maxBodySize: maxBodySize)
        let channel = EmbeddedChannel(handler: handler)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return channel
    }

    static func head(_ method: HTTPRequest.Method = .post, _ path: String, _ fields: HTTPFields = [.contentType: "application/json"]) -> HTTPRequestPart {
        .head(HTTPRequest(method: method, scheme: nil, authority: "127.0.0.1:8000", path: path, headerFields: fields))
    }

    /// What went on to the router.
    static func passed(_ channel: EmbeddedChannel) throws -> [HTTPRequestPart] {
        var parts: [HTTPRequestPart] = []
        while let part = try channel.readInbound(as: HTTPRequestPart.self) { parts.append(part) }
        return parts
    }

    /// The answers written so far: each head and its body.
    static func answers(_ channel: EmbeddedChannel) throws -> [(HTTPResponse, String)] {
        var answers: [(HTTPResponse, String)] = []
        while let part = try channel.readOutbound(as: HTTPResponsePart.self) {
            switch part {
            case .head(let head): answers.append((head, ""))
            case .body(let body): answers[answers.count - 1].1 += String(buffer: body)
            case .end: break
            }
        }
        return answers
    }

    @Test(arguments: [
        ("/v1/chat/completions", Endpoint.chatCompletions), ("/chat/completions", .chatCompletions), ("//v1//embeddings/", .embeddings),
        ("/v1/completions?x=1", .completions), ("/v1/%63ompletions", .completions),
    ])
    func openAIRoutesAreTaken(_ path: String, _ endpoint: Endpoint) {
        #expect(Endpoint(route: HTTPRequest(method: .post, scheme: nil, authority: nil, path: path)) == endpoint)
    }

    @Test(arguments: ["/v1/models", "/v2/chat/completions", "/v1/v1/completions", "/health", "/", "/v1/chat/completions/x", "/%ZZ"])
    func otherPathsAreTheRouters(_ path: String) {
        #expect(Endpoint(route: HTTPRequest(method: .post, scheme: nil, authority: nil, path: path)) == nil)
    }

    @Test func otherMethodsAreTheRouters() {
        #expect(Endpoint(route: HTTPRequest(method: .get, scheme: nil, authority: nil, path: "/v1/chat/completions")) == nil)
    }

    @Test func aRequestForTheRouterPassesUnchanged() throws {
        let channel = try Self.channel()
        try channel.writeInbound(Self.head(.post, "/api/v1/keys"))
        try channel.writeInbound(HTTPRequestPart.body(ByteBuffer(string: "{}")))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        #expect(try Self.passed(channel).count == 3)
        #expect(try Self.answers(channel).isEmpty)
    }

    @Test func aRequestWithoutAKeyIsAnsweredAndTheConnectionGoesOn() throws {
        let channel = try Self.channel()
        try channel.writeInbound(Self.head(.post, "/v1/chat/completions", [.contentType: "application/json", .requestID: "mine"]))
        try channel.writeInbound(HTTPRequestPart.body(ByteBuffer(string: #"{"model":"m"}"#)))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        let answers = try Self.answers(channel)
        #expect(answers.count == 1)
        #expect(answers.first?.0.status == .unauthorized)
        #expect(answers.first?.0.headerFields[.requestID] == "mine")
        #expect(answers.first?.1.contains("You didn't provide an API key") == true)
        #expect(try Self.passed(channel).isEmpty, "the router never sees it")
        #expect(channel.isActive)
        try channel.writeInbound(Self.head(.get, "/v1/models"))
        #expect(try Self.passed(channel).count == 1, "the next request reaches the router")
    }

    @Test func aWrongKeyIsMasked() throws {
        let channel = try Self.channel()
        try channel.writeInbound(Self.head(.post, "/v1/embeddings", [.contentType: "application/json", .authorization: "Bearer sk-wrong-key-abcdefgh"]))
        let answer = try #require(try Self.answers(channel).first)
        #expect(answer.0.status == .unauthorized && answer.1.contains("sk-wr***gh"))
    }

    @Test func aPageOfAnotherSiteIsRefusedFirst() throws {
        let channel = try Self.channel()
        try channel.writeInbound(Self.head(.post, "/v1/chat/completions", [.contentType: "text/plain", .origin: "http://evil.example"]))
        let answer = try #require(try Self.answers(channel).first)
        #expect(answer.0.status == .forbidden && answer.1.contains("forbidden_origin"))
    }

    @Test func aBodyPastTheLimitIsAnswered413AndTheConnectionClosed() throws {
        let channel = try Self.channel(keys: APIKeySet(), maxBodySize: 16)
        try channel.writeInbound(Self.head(.post, "/v1/chat/completions", [.contentType: "application/json", .transferEncoding: "chunked"]))
        try channel.writeInbound(HTTPRequestPart.body(ByteBuffer(string: "0123456789")))
        try channel.writeInbound(HTTPRequestPart.body(ByteBuffer(string: "0123456789")))
        let answer = try #require(try Self.answers(channel).first)
        #expect(answer.0.status == .contentTooLarge && answer.0.headerFields[.connection] == "close")
        #expect(answer.1.contains("request_too_large"))
        try channel.writeInbound(HTTPRequestPart.body(ByteBuffer(repeating: 0, count: 1 << 16)))
        #expect(try Self.answers(channel).isEmpty, "the rest is dropped")
        try channel.writeInbound(HTTPRequestPart.end(nil))
        #expect(!channel.isActive)
    }

    @Test func aRequestWaitsForTheRoutersAnswerBeforeIt() throws {
        let channel = try Self.channel()
        try channel.writeInbound(Self.head(.get, "/health"))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        // Pipelined: ours arrives before the router has answered.
        try channel.writeInbound(Self.head(.post, "/v1/chat/completions"))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        #expect(try Self.passed(channel).count == 2)
        #expect(try Self.answers(channel).isEmpty, "nothing is answered ahead of the router")
        // Reading stops while a request waits.
        channel.read()
        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .ok)))
        try channel.writeOutbound(HTTPResponsePart.end(nil))
        channel.embeddedEventLoop.run()
        let answers = try Self.answers(channel)
        #expect(answers.map(\.0.status) == [.ok, .unauthorized], "the router's answer, then ours")
    }

    @Test(arguments: [("close", true), ("Close", true), ("keep-alive, close", true), ("keep-alive", false), ("closed", false)])
    func connectionClose(_ value: String, _ closes: Bool) {
        let head = HTTPRequest(method: .post, scheme: nil, authority: nil, path: "/v1/completions", headerFields: [.connection: value])
        #expect(head.asksToClose == closes)
    }
}
