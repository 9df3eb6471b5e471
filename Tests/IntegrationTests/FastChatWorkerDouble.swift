import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SwitchyardCore

/// A FastChat worker played by the test on 127.0.0.1, speaking FastChat's worker protocol as
/// `fastchat.serve.model_worker` does (vicuna_v1.1's template, NUL-terminated cumulative stream
/// objects), with its generations scripted by the test and every call it receives recorded.
///
/// It is a real HTTP peer, not a stand-in for any Switchyard component: the gateway reaches it
/// over loopback exactly as it would reach FastChat's own worker.
final class FastChatWorkerDouble: Sendable {
    /// One request the worker received.
    struct Call: Sendable {
        var path: String
        var body: JSONValue
    }

    /// What one generation answers: the worker's objects (JSON texts) in order. A stream sends
    /// each followed by a NUL; `/worker_generate` sends the last one alone.
    typealias Script = @Sendable (_ parameters: JSONValue) -> [String]

    let url: String
    let model: String
    private let calls: Locked<[Call]>
    private let server: InProcessServer

    private init(url: String, model: String, calls: Locked<[Call]>, server: InProcessServer) {
        self.url = url
        self.model = model
        self.calls = calls
        self.server = server
    }

    /// The calls received on `path`, oldest first.
    func calls(to path: String) -> [JSONValue] {
        calls.withLock { $0.filter { $0.path == path }.map(\.body) }
    }

    /// FastChat's vicuna_v1.1 template, as `/worker_get_conv_template` sends it, with a stop
    /// string and stop token (as llama-2's templates have) so their merging shows.
    static let vicuna = #"""
        {"conv": {"name": "vicuna_v1.1", "system_template": "{system_message}", "system_message": "A chat between a curious user and an artificial intelligence assistant. The assistant gives helpful, detailed, and polite answers to the user's questions.", "system_message_vision": "", "roles": ["USER", "ASSISTANT"], "messages": [], "offset": 0, "sep_style": 2, "sep": " ", "sep2": "</s>", "stop_str": "</s>", "stop_token_ids": [2], "max_image_size_mb": null}}
        """#

    /// One stream object in `json.dumps`'s shape.
    static func object(_ text: String, prompt: Int = 5, completion: Int, finish: String? = nil, errorCode: Int = 0, logprobs: String? = nil) -> String {
        let reason = finish.map { #""\#($0)""# } ?? "null"
        let extra = logprobs.map { #", "logprobs": \#($0)"# } ?? ""
        return #"{"text": \#(quoted(text)), "error_code": \#(errorCode), "usage": {"prompt_tokens": \#(prompt), "completion_tokens": \#(completion), "total_tokens": \#(prompt + completion)}, "finish_reason": \#(reason)\#(extra)}"#
    }

    /// A JSON string literal with non-ASCII left raw, so byte-wise writes cut characters.
    static func quoted(_ text: String) -> String {
        String(decoding: try! JSONEncoder().encode(text), as: UTF8.self).replacingOccurrences(of: "\\/", with: "/")
    }

    /// Starts the worker for `model`. Tokens are counted as whitespace-separated words;
    /// `byteByByte` writes each stream one byte at a time, splitting NULs and UTF-8 characters
    /// across network writes.
    static func start(
        model: String, contextLength: Int = 2048, byteByByte: Bool = false, script: @escaping Script
    ) async throws -> FastChatWorkerDouble {
        let calls = Locked<[Call]>([])
        let router = Router()
        router.post("**") { request, context -> Response in
            let path = request.uri.path
            let bytes = try await request.body.collect(upTo: 1 << 24)
            let body = (try? JSONValue(parsing: bytes)) ?? .null
            calls.withLock { $0.append(Call(path: path, body: body)) }
            switch path {
            case "/worker_get_status":
                return json(#"{"model_names": ["\#(model)"], "speed": 1, "queue_length": 0}"#)
            case "/worker_get_conv_template":
                return json(vicuna)
            case "/model_details":
                return json(#"{"context_length": \#(contextLength)}"#)
            case "/count_token":
                let words = body["prompt"]?.string?.split(whereSeparator: \.isWhitespace).count ?? 0
                return json(#"{"count": \#(words), "error_code": 0}"#)
            case "/worker_generate":
                return json(script(body).last ?? "{}")
            case "/worker_generate_stream":
                let wire = Array(script(body).map { $0 + "\0" }.joined().utf8)
                let writes = byteByByte ? wire.map { [$0] } : [wire]
                return Response(status: .ok, body: ResponseBody { writer in
                    for write in writes { try await writer.write(ByteBuffer(bytes: write)) }
                    try await writer.finish(nil)
                })
            case "/worker_get_embeddings":
                let inputs = body["input"]?.array ?? []
                // Each vector starts with its input's length, so the test can tell them apart.
                let vectors = inputs.map { "[\($0.string?.count ?? 0), 0.5, -0.25]" }
                return json(#"{"embedding": [\#(vectors.joined(separator: ", "))], "token_num": \#(inputs.count * 3)}"#)
            default:
                return Response(status: .notFound)
            }
        }
        let server = try await InProcessServer.start(router, label: "fastchat-worker-double")
        return FastChatWorkerDouble(url: server.url, model: model, calls: calls, server: server)
    }

    /// Registers with `controller` as FastChat's worker does: no `api`, so the gateway speaks
    /// FastChat's protocol to it; no heartbeats needed.
    func register(with controller: String) async throws {
        let registration = #"{"worker_name": "\#(url)", "check_heart_beat": false, "#
            + #""worker_status": {"model_names": ["\#(model)"], "speed": 1, "queue_length": 0}, "multimodal": false}"#
        let reply = try await HTTP.post(controller + "/register_worker", json: registration)
        guard reply.status == 200 else { throw ProcessFailure("registration refused: \(reply.status) \(reply.text)") }
    }

    private static func json(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
