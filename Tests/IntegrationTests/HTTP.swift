import AsyncHTTPClient
import Foundation
import NIOCore
import SwitchyardCore

/// Small HTTP helpers over the shared client, for talking to live daemons.
enum HTTP {
    struct Reply {
        var status: Int
        var headers: [String: String]
        var body: ByteBuffer
        var text: String { String(buffer: body) }
        func json() throws -> Any { try JSONSerialization.jsonObject(with: Data(buffer: body), options: .fragmentsAllowed) }
        func decode<T: Decodable>(_ type: T.Type) throws -> T { try JSONDecoder().decode(type, from: body) }

        /// The data of each server-sent event, `[DONE]` included.
        var events: [String] {
            var parser = ServerSentEventParser()
            return parser.feed(body).map { String(decoding: $0, as: UTF8.self) }
        }

        /// The chunks of a streamed chat completion, without the final `[DONE]`.
        func chunks() throws -> [ChatCompletionChunk] {
            try events.filter { $0 != "[DONE]" }.map { try JSONDecoder().decode(ChatCompletionChunk.self, from: Data($0.utf8)) }
        }
    }

    /// Fails at once where nothing listens, like the daemons' own clients, where the shared
    /// client keeps trying to connect until its timeout.
    static let failingFast = HTTPClient.makeSwitchyardClient()

    static func get(_ url: String, token: String? = nil, client: HTTPClient = .shared) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        if let token { request.headers.add(name: "authorization", value: "Bearer \(token)") }
        return try await send(request, client: client)
    }

    static func post(_ url: String, json: String, headers: [String: String] = [:]) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: json))
        return try await send(request)
    }

    static func send(_ request: HTTPClientRequest, client: HTTPClient = .shared) async throws -> Reply {
        let response = try await client.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 16 << 20)
        var headers: [String: String] = [:]
        for header in response.headers { headers[header.name.lowercased()] = header.value }
        return Reply(status: Int(response.status.code), headers: headers, body: body)
    }

    /// The controller's listing; `token` (registration or admin) once the controller has one.
    static func workers(_ controller: String, token: String? = nil) async throws -> [WorkerRecord] {
        try await get(controller + "/api/v1/workers", token: token).decode(WorkerList.self).workers
    }

    static func chatBody(model: String, content: String = "hello switchyard", stream: Bool = false) -> String {
        #"{"model":"\#(model)","stream":\#(stream),"messages":[{"role":"user","content":"\#(content)"}]}"#
    }

    /// Sends a streamed chat request and returns the response once its head arrived, for reading event by event.
    static func openStream(_ gateway: String, model: String) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: gateway + "/v1/chat/completions")
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: chatBody(model: model, stream: true)))
        return try await HTTPClient.shared.execute(request, timeout: .seconds(30))
    }
}

extension ChatCompletionChunk {
    var text: String { choices.compactMap(\.delta.content).joined() }
}
