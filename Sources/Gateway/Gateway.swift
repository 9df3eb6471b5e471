import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import SwitchyardCore

/// The OpenAI-compatible front door: routes each request to a worker from the in-memory directory
/// and relays the worker's answer. It never calls the controller on the request path.
public struct Gateway: Sendable {
    public let directory: WorkerDirectory
    public let configuration: GatewayConfiguration
    let httpClient: HTTPClient
    let logger: Logger

    public init(configuration: GatewayConfiguration = .init(), httpClient: HTTPClient, logger: Logger) {
        self.directory = WorkerDirectory(dispatch: configuration.dispatch, restartRetention: configuration.restartRetention)
        self.configuration = configuration
        self.httpClient = httpClient
        self.logger = logger
    }

    public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        for prefix in ["v1/", ""] {
            router.get("\(prefix)models") { _, _ in try listModels() }
            router.post("\(prefix)chat/completions") { request, _ in
                try await relay(request, path: "/v1/chat/completions")
            }
        }
    }

    func listModels() throws -> Response {
        let created = Int(Date().timeIntervalSince1970)
        let models = directory.modelNames.map { ModelCard(id: $0, created: created) }
        return try .json(ModelCardList(data: models))
    }

    /// The fields routing needs; everything else travels to the worker untouched.
    struct RoutingFields: Decodable {
        var model: String?
        var stream: Bool?
    }

    func relay(_ request: Request, path: String) async throws -> Response {
        var request = request
        let requestID = RequestID.current ?? ""
        let body = try await request.collectBody(upTo: configuration.maxBodySize)
        let fields = try JSONDecoder.decode(RoutingFields.self, from: body)
        guard let model = fields.model, !model.isEmpty else {
            throw OpenAIError.badRequest("Missing required parameter: 'model'.", param: "model", code: "missing_required_parameter")
        }
        let lease = try directory.lease(model: model, retryAfter: configuration.retryAfter)

        var upstream = HTTPClientRequest(url: lease.address.trimmingSuffix("/") + path)
        upstream.method = .POST
        upstream.headers.add(name: "content-type", value: "application/json")
        upstream.headers.add(name: "x-request-id", value: requestID)
        upstream.body = .bytes(body)

        let response: HTTPClientResponse
        do {
            response = try await httpClient.execute(upstream, timeout: TimeAmount(configuration.responseTimeout))
        } catch let error as HTTPClientError where error == .deadlineExceeded {
            throw OpenAIError(status: .gatewayTimeout, message: "Worker \(lease.address) did not answer in time.")
        } catch {
            logger.warning("worker unreachable", metadata: ["worker": "\(lease.address)", "error": "\(error)", "request_id": "\(requestID)"])
            throw OpenAIError.badGateway("Worker \(lease.address) could not be reached.")
        }

        // Hold the client's response head until the worker's first chunk, so an early failure is a proper status.
        let upstreamBody = UpstreamBody(response.body.makeAsyncIterator())
        let first: ByteBuffer?
        do {
            first = try await upstreamBody.next()
        } catch {
            throw OpenAIError.badGateway("Worker \(lease.address) failed before its first byte.")
        }

        let streaming = fields.stream == true && response.status == .ok
        var headers = HTTPFields()
        headers[.contentType] = response.headers.first(name: "content-type") ?? "application/json"
        if streaming {
            headers[.cacheControl] = "no-cache"
            headers[.accelBuffering] = "no"
        }
        let logger = self.logger
        return Response(
            status: .init(code: Int(response.status.code)),
            headers: headers,
            body: ResponseBody { writer in
                defer { lease.release() }
                if let first { try await writer.write(first) }
                while true {
                    let chunk: ByteBuffer?
                    do {
                        chunk = try await upstreamBody.next()
                    } catch {
                        logger.warning("worker broke off mid-response", metadata: ["worker": "\(lease.address)", "request_id": "\(requestID)"])
                        // After the head is sent the only honest report is an error event (streams) or a cut body.
                        guard streaming else { throw error }
                        let failure = OpenAIError(status: .badGateway, message: "The worker stopped responding mid-stream.")
                        try await writer.write(.serverSentEvent(failure.jsonBody()))
                        break
                    }
                    guard let chunk else { break }
                    try await writer.write(chunk)
                }
                try await writer.finish(nil)
            }
        )
    }
}

/// The worker's response body, read by one task at a time: first for the held head, then by the relay.
final class UpstreamBody: @unchecked Sendable {
    private var iterator: HTTPClientResponse.Body.AsyncIterator

    init(_ iterator: HTTPClientResponse.Body.AsyncIterator) {
        self.iterator = iterator
    }

    func next() async throws -> ByteBuffer? {
        try await iterator.next()
    }
}
