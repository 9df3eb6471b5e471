import AsyncHTTPClient
import Foundation
import Hummingbird
import NIOCore
import NIOHTTP1
import SwitchyardCore

/// Forwards requests to any OpenAI-compatible server (vLLM, llama.cpp server, Ollama, TGI) on a
/// pooled client, relaying its answer, streamed or not, in clean OpenAI form: every dialect's
/// error becomes an ``OpenAIError`` with a fitting status (see ``UpstreamError``) and every stream
/// goes through a ``StreamNormalizer``.
///
/// The answer is held only until it is known not to be an error: the first stream event, or the
/// first ``errorBodyLimit`` bytes of a plain body. After that it is relayed as it arrives.
public struct OpenAIUpstreamBackend: ModelBackend {
    /// The upstream's OpenAI base, ending in `/v1`.
    public let baseURL: String
    /// The model name the upstream knows, when it differs from the names the worker registers.
    public let upstreamModel: String?
    let httpClient: HTTPClient
    /// The upstream's keep-alive connections for relayed requests.
    let upstreams: UpstreamPool
    let responseTimeout: Duration
    let activity = UpstreamActivity()

    public init(upstream: String, upstreamModel: String? = nil, httpClient: HTTPClient, responseTimeout: Duration = .seconds(600)) {
        self.baseURL = Self.openAIBase(of: upstream)
        self.upstreamModel = upstreamModel
        self.httpClient = httpClient
        self.upstreams = UpstreamPool(configuration: .init(readTimeout: responseTimeout))
        self.responseTimeout = responseTimeout
    }

    /// Accepts `http://host:port` as well as `http://host:port/v1`.
    static func openAIBase(of upstream: String) -> String {
        let trimmed = upstream.trimmingSuffix("/")
        return trimmed.hasSuffix("/v1") ? trimmed : trimmed + "/v1"
    }

    /// Error bodies are small: a body still going past this is a real answer.
    static let errorBodyLimit = 64 << 10

    public func respond(to request: BackendRequest) async throws -> BackendResponse {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json")
        // llama-cpp-python's server answers 400 to an `x-request-id` that is not a UUID.
        if UUID(uuidString: request.requestID) != nil { headers.add(name: "x-request-id", value: request.requestID) }
        let renamed = try upstreamModel.map { try request.body.replacingModel(with: $0) } ?? request.body
        let upstream: UpstreamExchange
        let response: HTTPResponseHead
        do {
            upstream = try UpstreamExchange(
                pool: upstreams, url: baseURL + "/" + request.endpoint.rawValue, headers: headers,
                body: renamed.addingMaxTokens(), headTimeout: responseTimeout
            )
            response = try await upstream.head()
        } catch where UpstreamFailure.isTimeout(error) {
            activity.forget()
            throw OpenAIError(status: .gatewayTimeout, message: "The model server at \(baseURL) did not answer in time.")
        } catch {
            activity.forget()
            throw OpenAIError.badGateway("The model server at \(baseURL) could not be reached: \(error)")
        }
        let status = HTTPResponse.Status(code: Int(response.status.code))
        guard (200..<300).contains(status.code) else { throw await failure(of: response, body: upstream) }
        activity.heard()
        let contentType = response.headers.first(name: "content-type") ?? "application/json"
        if contentType.hasPrefix("text/event-stream") {
            return BackendResponse(status: status, contentType: contentType, body: try await normalisedStream(of: upstream))
        }
        switch try await checkedBody(of: response, body: upstream) {
        case .whole(let body): return BackendResponse(status: status, contentType: contentType, whole: body)
        case .streamed(let body): return BackendResponse(status: status, contentType: contentType, body: body)
        }
    }

    enum CheckedBody {
        /// The body ended within ``errorBodyLimit``.
        case whole(ByteBuffer)
        case streamed(ResponseBody)
    }

    /// The error an upstream's non-2xx answer becomes, whatever its dialect or content type.
    func failure(of response: HTTPResponseHead, body upstream: UpstreamExchange) async -> OpenAIError {
        let body = await upstream.collect(upTo: Self.errorBodyLimit)
        let text = String(buffer: body).trimmingCharacters(in: .whitespacesAndNewlines)
        let error = UpstreamError(json: body.readableBytesView) ?? UpstreamError(message: String(text.prefix(500)))
        return error.openAIError(upstreamStatus: Int(response.status.code), retryAfter: response.headers.retryAfter)
    }

    /// Relays a plain answer, read ahead far enough to tell whether it is an error sent with a 200.
    func checkedBody(of response: HTTPResponseHead, body upstream: UpstreamExchange) async throws -> CheckedBody {
        var head = ByteBuffer()
        do {
            while head.readableBytes <= Self.errorBodyLimit {
                guard var chunk = try await upstream.next() else {
                    if head.containsBytes(Self.errorKey), let error = UpstreamError(json: head.readableBytesView) {
                        throw error.openAIError(upstreamStatus: Int(response.status.code), retryAfter: response.headers.retryAfter)
                    }
                    return .whole(head)
                }
                head.writeBuffer(&chunk)
            }
        } catch let error as OpenAIError {
            throw error
        } catch {
            throw OpenAIError.badGateway("The model server at \(baseURL) broke off its answer: \(error)")
        }
        return .streamed(
            ResponseBody { [head, activity] writer in
                try await writer.write(head)
                while let chunk = try await upstream.next() {
                    activity.heard()
                    try await writer.write(chunk)
                }
                try await writer.finish(nil)
            }
        )
    }

    /// Relays a stream through a ``StreamNormalizer``, holding the answer until its first event so
    /// that an error opening the stream is still answered with a real status.
    func normalisedStream(of upstream: UpstreamExchange) async throws -> ResponseBody {
        var normalizer = StreamNormalizer()
        var head = ByteBuffer()
        var upstreamEnded = false
        while !normalizer.hasRelayedContent && !normalizer.isFinished && normalizer.leadingError == nil {
            // A broken upstream ends like a finished one; the normaliser reports the difference.
            guard let chunk = try? await upstream.next() else {
                head.writeImmutableBuffer(normalizer.finish())
                upstreamEnded = true
                break
            }
            head.writeImmutableBuffer(normalizer.feed(chunk))
        }
        if let error = normalizer.leadingError { throw error }
        return ResponseBody { [head, normalizer, upstreamEnded, activity] writer in
            var normalizer = normalizer
            try await writer.write(head)
            if !upstreamEnded {
                while !normalizer.isFinished, let chunk = try? await upstream.next() {
                    activity.heard()
                    let output = normalizer.feed(chunk)
                    if output.readableBytes > 0 { try await writer.write(output) }
                }
                let ending = normalizer.finish()
                if ending.readableBytes > 0 { try await writer.write(ending) }
            }
            try await writer.finish(nil)
        }
    }


    private static let errorKey = Array(#""error""#.utf8)

    /// Probes `/models`, unless the upstream answered a request within the last
    /// ``UpstreamActivity/quietPeriod``: see ``UpstreamActivity`` for why probes keep away.
    public func isHealthy() async -> Bool {
        if activity.isRecent { return true }
        return await probe()
    }

    /// Whether the upstream answers `GET /models` now.
    public func probe() async -> Bool {
        let request = HTTPClientRequest(url: baseURL + "/models")
        guard let response = try? await httpClient.execute(request, timeout: .seconds(2)) else { return false }
        _ = try? await response.body.collect(upTo: 1 << 20)
        return response.status == .ok
    }
}

