import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import Routing
import ServiceLifecycle
import SwitchyardCore

/// The OpenAI-compatible front door: routes each request to a worker from the in-memory directory
/// and relays the worker's answer. It never calls the controller on the request path.
public struct Gateway: Sendable {
    public let directory: WorkerDirectory
    public let configuration: GatewayConfiguration
    /// Recent traffic per model and the latest errors, for the dashboard.
    public let stats = GatewayStatsRecorder()
    let httpClient: HTTPClient
    /// The workers' keep-alive connections for relayed requests.
    let upstreams: UpstreamPool
    let logger: Logger

    public init(configuration: GatewayConfiguration = .init(), httpClient: HTTPClient, logger: Logger) {
        self.directory = WorkerDirectory(routing: configuration.routing, queue: configuration.queue)
        self.configuration = configuration
        self.httpClient = httpClient
        self.upstreams = UpstreamPool(configuration: .init(readTimeout: configuration.responseTimeout))
        self.logger = logger
    }

    /// The routes Hummingbird serves; the OpenAI routes that relay are ``DataPlaneHandler``'s.
    public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        for prefix in ["v1/", ""] {
            router.get("\(prefix)models") { _, _ in try listModels() }
            // Model ids may contain slashes (`meta-llama/Llama-3-8B`): the id is the rest of the path.
            router.get("\(prefix)models/**") { _, context in
                let id = context.parameters.getCatchAll().joined(separator: "/")
                guard directory.modelNames.contains(id), ModelAccess.allows(id) else { throw OpenAIError.modelNotFound(id) }
                return try Response.json(ModelCard(id: id, created: Int(Date().timeIntervalSince1970)))
            }
        }
        addStatusRoute(to: router)
        addDashboardRoutes(to: router)
        router.addMetricsRoute { [directory] in GatewayMetrics.refresh(from: directory) }
    }

    /// The gateway's own view of each worker: what operators need to see why a worker gets no traffic.
    func addStatusRoute<Context: RequestContext>(to router: Router<Context>) {
        router.get("api/v1/gateway/workers") { _, _ in
            try Response.json(GatewayWorkerList(directory.snapshot, waiting: directory.waiting))
        }
        // For load balancers in front of gateway replicas: the process answers, and how many models it routes.
        router.get("health") { _, _ in
            try Response.json(GatewayHealth(status: "ok", models: directory.modelNames.count))
        }
    }

    /// Background work of a gateway: probing worker health.
    public var services: [any Service] {
        configuration.probeInterval > .zero ? [HealthProbeService(gateway: self)] : []
    }

    func listModels() throws -> Response {
        let created = Int(Date().timeIntervalSince1970)
        let models = directory.modelNames.filter(ModelAccess.allows).map { ModelCard(id: $0, created: created) }
        return try .json(ModelCardList(data: models))
    }
}

/// The gateway's `/health` answer.
struct GatewayHealth: Encodable {
    var status: String
    var models: Int
}
