import ArgumentParser
import AsyncHTTPClient
import Controller
import Gateway
import Hummingbird
import Logging
import Routing
import ServiceLifecycle
import SwitchyardCore

struct ControllerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "controller",
        abstract: "Run the registry of workers (FastChat-compatible) and, unless --no-gateway, the OpenAI gateway."
    )

    @OptionGroup var daemon: DaemonOptions

    @Option(help: "Port of the controller API.")
    var port: Int = 21001

    @Option(help: "Port of the OpenAI gateway served by the same process.")
    var gatewayPort: Int = 8000

    @Flag(help: "Do not serve the OpenAI gateway.")
    var noGateway = false

    @OptionGroup var gateway: GatewayOptions

    @OptionGroup var arena: ArenaOptions

    @Option(help: "Seconds without a heartbeat before a worker is removed (env FASTCHAT_CONTROLLER_HEART_BEAT_EXPIRATION; default 10).")
    var heartBeatExpiration: Double?

    func run() async throws {
        daemon.bootstrapObservability()
        let expiration = resolved(heartBeatExpiration, environment: "FASTCHAT_CONTROLLER_HEART_BEAT_EXPIRATION", default: 10)
        let setup = ControllerSetup(
            host: daemon.host,
            port: port,
            gatewayPort: noGateway ? nil : gatewayPort,
            controller: ControllerConfiguration(heartbeatExpiration: .seconds(fractional: expiration), dispatch: gateway.dispatch),
            gateway: gateway.configuration,
            arena: noGateway ? nil : arena
        )
        try await runDaemon(logger: Logger(label: "switchyard.controller"), readTimeout: .seconds(fractional: gateway.responseTimeout)) { httpClient in
            try setup.services(httpClient: httpClient)
        }
    }
}

/// The controller process's servers: the registry API and, optionally, the in-process gateway.
struct ControllerSetup {
    var host: String
    var port: Int
    var gatewayPort: Int?
    var controller: ControllerConfiguration
    var gateway: GatewayConfiguration
    var arena: ArenaOptions?

    func services(
        httpClient: HTTPClient,
        onGatewayListening: @escaping @Sendable (Int, WorkerDirectory) async -> Void = { _, _ in }
    ) throws -> [any Service] {
        let controller = Controller(configuration: controller, httpClient: httpClient, logger: Logger(label: "switchyard.controller"))
        let router = Router<BasicRequestContext>.switchyard()
        controller.addRoutes(to: router)
        var services: [any Service] = [
            makeServer(role: "controller", router: router, host: host, port: port, logger: Logger(label: "switchyard.controller"))
        ]
        services += controller.services
        if let gatewayPort {
            let gatewayLogger = Logger(label: "switchyard.gateway")
            let gateway = Gateway(configuration: self.gateway, httpClient: httpClient, logger: gatewayLogger)
            let gatewayRouter = Router<BasicRequestContext>.switchyard()
            gateway.addRoutes(to: gatewayRouter)
            try arena?.makeArena(gateway: gateway)?.addRoutes(to: gatewayRouter)
            services.append(LocalRegistryFeed(events: controller.store.watch(), directory: gateway.directory))
            services += gateway.services
            services.append(
                makeServer(role: "gateway", router: gatewayRouter, host: host, port: gatewayPort, logger: gatewayLogger) { port in
                    await onGatewayListening(port, gateway.directory)
                }
            )
        }
        return services
    }
}

/// Builds a daemon's services around its one outbound client and runs them until SIGTERM or
/// SIGINT, shutting them down in reverse order; the client is shut down however the run ends.
///
/// `readTimeout` bounds any silence from a peer: the response head, the first chunk, the gaps of a stream.
func runDaemon(logger: Logger, readTimeout: Duration = .seconds(600), _ makeServices: (HTTPClient) throws -> [any Service]) async throws {
    let httpClient = HTTPClient.makeSwitchyardClient(readTimeout: readTimeout)
    do {
        let services = try makeServices(httpClient)
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        try await group.run()
    } catch {
        try? await httpClient.shutdown()
        throw error
    }
    try await httpClient.shutdown()
}
