import AsyncHTTPClient
import Foundation
import Hummingbird
import NIOCore
import SwitchyardCore

/// Forwards requests to any OpenAI-compatible server (vLLM, llama.cpp server, Ollama, TGI) on a
/// pooled client, relaying its answer, streamed or not, as it arrives.
public struct OpenAIUpstreamBackend: ModelBackend {
    /// The upstream's OpenAI base, ending in `/v1`.
    public let baseURL: String
    /// The model name the upstream knows, when it differs from the names the worker registers.
    public let upstreamModel: String?
    let httpClient: HTTPClient
    let responseTimeout: Duration

    public init(upstream: String, upstreamModel: String? = nil, httpClient: HTTPClient, responseTimeout: Duration = .seconds(600)) {
        self.baseURL = Self.openAIBase(of: upstream)
        self.upstreamModel = upstreamModel
        self.httpClient = httpClient
        self.responseTimeout = responseTimeout
    }

    /// Accepts `http://host:port` as well as `http://host:port/v1`.
    static func openAIBase(of upstream: String) -> String {
        let trimmed = upstream.trimmingSuffix("/")
        return trimmed.hasSuffix("/v1") ? trimmed : trimmed + "/v1"
    }

    public func respond(to request: BackendRequest) async throws -> BackendResponse {
        var outbound = HTTPClientRequest(url: baseURL + "/" + request.endpoint.rawValue)
        outbound.method = .POST
        outbound.headers.add(name: "content-type", value: "application/json")
        if !request.requestID.isEmpty { outbound.headers.add(name: "x-request-id", value: request.requestID) }
        outbound.body = .bytes(try upstreamModel.map { try request.body.replacingModel(with: $0) } ?? request.body)
        let response: HTTPClientResponse
        do {
            response = try await httpClient.execute(outbound, timeout: TimeAmount(responseTimeout))
        } catch let error as HTTPClientError where error == .deadlineExceeded {
            throw OpenAIError(status: .gatewayTimeout, message: "The model server at \(baseURL) did not answer in time.")
        } catch {
            throw OpenAIError.badGateway("The model server at \(baseURL) could not be reached: \(error)")
        }
        return BackendResponse(
            status: .init(code: Int(response.status.code)),
            contentType: response.headers.first(name: "content-type") ?? "application/json",
            body: ResponseBody(asyncSequence: response.body)
        )
    }

    public func isHealthy() async -> Bool {
        let request = HTTPClientRequest(url: baseURL + "/models")
        guard let response = try? await httpClient.execute(request, timeout: .seconds(2)) else { return false }
        _ = try? await response.body.collect(upTo: 1 << 20)
        return response.status == .ok
    }
}
