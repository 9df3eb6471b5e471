import AsyncHTTPClient
import Foundation
import NIOCore
import SwitchyardCore

/// What a backend can tell about its model beyond answering: the context length and a token count
/// by the model's own tokenizer. FastChat's `/model_details` and `/count_token` report them.
public protocol BackendIntrospection: ModelBackend {
    /// The model's context window in tokens, if the backend says.
    func contextLength() async -> Int?
    /// Tokens in `prompt` by the model's tokenizer, if the backend has one to ask.
    func countTokens(_ prompt: String) async -> Int?
}

extension SimulatorBackend: BackendIntrospection {
    public func contextLength() async -> Int? { nil }
    /// The simulator's tokens are whitespace-separated words.
    public func countTokens(_ prompt: String) async -> Int? { SimulatedReply.wordCount(in: prompt) }
}

extension ProcessBackend: BackendIntrospection {
    public func contextLength() async -> Int? { await upstream.contextLength() }
    public func countTokens(_ prompt: String) async -> Int? { await upstream.countTokens(prompt) }
}

/// Asks the servers people put behind an `openai` backend in the places each keeps the answer:
/// vLLM (`max_model_len` in `/v1/models`, `/tokenize`), llama.cpp's server (`/props`
/// `default_generation_settings.n_ctx`, `/tokenize`) and llama-cpp-python (`/extras/tokenize`).
/// Every number read is clamped: the upstream is an outside peer.
extension OpenAIUpstreamBackend: BackendIntrospection {
    /// Context lengths beyond this are no model's; larger answers are ignored.
    static let contextLimit = 1 << 24
    /// Introspection answers are small JSON documents.
    static let introspectionBodyLimit = 1 << 20

    var serverRoot: String {
        baseURL.hasSuffix("/v1") ? String(baseURL.dropLast(3)) : baseURL
    }

    public func contextLength() async -> Int? {
        if let models = await json(get: baseURL + "/models"),
            let lengths = models["data"]?.array?.compactMap({ $0["max_model_len"]?.integer }), let first = lengths.first
        {
            return Self.bounded(first)
        }
        if let props = await json(get: serverRoot + "/props"),
            let context = props["default_generation_settings"]?["n_ctx"]?.integer ?? props["n_ctx"]?.integer
        {
            return Self.bounded(context)
        }
        return nil
    }

    public func countTokens(_ prompt: String) async -> Int? {
        let body = (try? JSONEncoder().encode(["content": prompt, "prompt": prompt, "input": prompt])) ?? Data()
        for path in ["/tokenize", "/extras/tokenize"] {
            guard let answer = await json(post: serverRoot + path, body: ByteBuffer(data: body)) else { continue }
            if let tokens = answer["tokens"]?.array { return tokens.count }
            if let count = answer["count"]?.integer { return Self.bounded(count) }
        }
        return nil
    }

    static func bounded(_ value: Int) -> Int? {
        (1...contextLimit).contains(value) ? value : nil
    }

    private func json(get url: String) async -> JSONValue? {
        await exchange(HTTPClientRequest(url: url))
    }

    private func json(post url: String, body: ByteBuffer) async -> JSONValue? {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.body = .bytes(body)
        return await exchange(request)
    }

    private func exchange(_ request: HTTPClientRequest) async -> JSONValue? {
        guard let response = try? await httpClient.execute(request, timeout: .seconds(5)), response.status == .ok,
            let body = try? await response.body.collect(upTo: Self.introspectionBodyLimit)
        else { return nil }
        return try? JSONValue(parsing: body)
    }
}
