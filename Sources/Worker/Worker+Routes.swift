import Backends
import Foundation
import Hummingbird
import NIOCore
import SwitchyardCore

extension Worker {
    /// FastChat's worker API and the operator's routes; the OpenAI endpoints gateways call are
    /// served by ``WorkerDataPlane``.
    public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        let worker = self
        let configuration = self.configuration
        for prefix in ["v1/", ""] {
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

    /// Answers one OpenAI request through the backend, within the concurrency limit.
    func serve(_ request: DataPlaneRequest, to writer: DataPlaneWriter) async {
        let started = ContinuousClock.now
        let endpoint = request.endpoint
        do {
            guard state == .ready else {
                throw OpenAIError(status: .serviceUnavailable, message: "This worker is draining and takes no new requests.", retryAfter: .seconds(1))
            }
            // Clients can reach a worker without a gateway: the same limits hold here.
            _ = try RequestValidator.validate(request.body, for: endpoint)
            let slot = try await limiter.acquire()
            let response = try await backend.respond(to: BackendRequest(endpoint: endpoint, body: request.body, requestID: RequestID.current ?? "", headers: request.headers))
            defer {
                slot()
                recordAnswer(status: Int(response.status.code))
                WorkerMetrics.answered(endpoint, status: Int(response.status.code), duration: .now - started)
            }
            let head = HTTPResponse(status: response.status, headerFields: [.contentType: response.contentType])
            if let whole = response.whole { return writer.respond(head, body: whole, end: true) }
            writer.respond(head, end: false)
            do {
                try await response.body.write(writer.bodyWriter)
            } catch {
                writer.abort()
            }
        } catch {
            let status = writer.fail(with: error, logger: logger).status
            recordAnswer(status: status)
            WorkerMetrics.answered(endpoint, status: status, duration: .now - started)
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
