import Backends
import Foundation
import Hummingbird
import NIOCore
import SwitchyardCore

extension Worker {
    /// The OpenAI endpoints gateways call, and FastChat's worker API.
    public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        let worker = self
        let configuration = self.configuration
        for prefix in ["v1/", ""] {
            for endpoint in Endpoint.allCases {
                router.post("\(prefix)\(endpoint.rawValue)") { request, _ in
                    try await worker.respond(to: request, endpoint: endpoint)
                }
            }
            router.get("\(prefix)models") { _, _ in
                let created = Int(Date().timeIntervalSince1970)
                return try Response.json(ModelCardList(data: configuration.modelNames.map { ModelCard(id: $0, created: created) }))
            }
        }
        addFastChatRoutes(to: router)
        router.addMetricsRoute { WorkerMetrics.refresh(from: worker) }
        router.post("worker_get_status") { _, _ in try Response.json(worker.status) }
        router.get("worker_get_status") { _, _ in try Response.json(worker.status) }
        router.post("admin/drain") { request, _ in
            try configuration.access.admin.authorize(request)
            worker.setState(.draining)
            return try Response.json(worker.status)
        }
        router.post("admin/undrain") { request, _ in
            try configuration.access.admin.authorize(request)
            worker.setState(.ready)
            return try Response.json(worker.status)
        }
        router.get("health") { _, _ in
            let healthy = await worker.backend.isHealthy()
            return try Response.json(
                HealthReport(status: healthy ? "ok" : "unhealthy", state: worker.state, queueLength: worker.limiter.queueLength),
                status: healthy ? .ok : .serviceUnavailable
            )
        }
    }

    func respond(to request: Request, endpoint: Endpoint) async throws -> Response {
        let started = ContinuousClock.now
        do {
            guard state == .ready else {
                throw OpenAIError(status: .serviceUnavailable, message: "This worker is draining and takes no new requests.", retryAfter: .seconds(1))
            }
            var request = request
            let requestID = RequestID.current ?? ""
            let body = try await request.collectBody(upTo: 32 << 20)
            // Clients can reach a worker without a gateway: the same limits hold here.
            _ = try RequestValidator.validate(body, for: endpoint)
            let slot = try await limiter.acquire()
            let response = try await backend.respond(to: BackendRequest(endpoint: endpoint, body: body, requestID: requestID, headers: request.headers))
            let worker = self
            @Sendable func answered() {
                slot()
                worker.recordAnswer(status: Int(response.status.code))
                WorkerMetrics.answered(endpoint, status: Int(response.status.code), duration: .now - started)
            }
            if let whole = response.whole {
                answered()
                return Response(status: response.status, headers: [.contentType: response.contentType], body: .init(byteBuffer: whole))
            }
            let backendBody = response.body
            return Response(
                status: response.status,
                headers: [.contentType: response.contentType],
                body: ResponseBody { writer in
                    defer { answered() }
                    try await backendBody.write(writer)
                }
            )
        } catch {
            let status = FailureStatus.of(error)
            recordAnswer(status: status)
            WorkerMetrics.answered(endpoint, status: status, duration: .now - started)
            throw error
        }
    }
}

struct HealthReport: Encodable {
    var status: String
    var state: WorkerState
    var queueLength: Int

    enum CodingKeys: String, CodingKey {
        case status, state
        case queueLength = "queue_length"
    }
}
