import ArgumentParser
import AsyncHTTPClient
import Controller
import Gateway
import Hummingbird
import HummingbirdTLS
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

    @OptionGroup var apiKeys: APIKeyOptions

    @OptionGroup var registration: RegistrationTokenOption

    @Flag(help: "FastChat's open registration: accept workers without a registration token although bound beyond loopback. Anyone who reaches the port can then register a worker and receive users' prompts.")
    var allowUnauthenticatedWorkers = false

    @OptionGroup var admin: AdminTokenOption

    @Option(help: "Seconds without a heartbeat before a worker is removed (FastChat's FASTCHAT_CONTROLLER_HEART_BEAT_EXPIRATION also sets it).")
    var heartBeatExpiration: Double = 10

    func validate() throws {
        if !daemon.isLoopback && registration.token == nil && !allowUnauthenticatedWorkers {
            throw ValidationError(
                """
                Bound to \(daemon.host), anyone on the network could register a worker and receive users' prompts (FastChat#3793). \
                Give --registration-token TOKEN (or SWITCHYARD_REGISTRATION_TOKEN) to the controller and its workers, \
                or pass --allow-unauthenticated-workers for FastChat's open registration.
                """
            )
        }
    }

    func run() async throws {
        daemon.bootstrapObservability()
        let access = ControllerAccess(
            registrationToken: registration.token,
            adminToken: admin.token,
            loopback: daemon.isLoopback,
            allowUnauthenticatedWorkers: allowUnauthenticatedWorkers
        )
        access.logNotices(host: daemon.host, logger: Logger(label: "switchyard.controller"))
        let tls = try daemon.tls.configuration()
        let setup = ControllerSetup(
            host: daemon.host,
            port: port,
            gatewayPort: noGateway ? nil : gatewayPort,
            controller: ControllerConfiguration(
                heartbeatExpiration: .seconds(fractional: heartBeatExpiration), dispatch: gateway.dispatch, access: access,
                workerAddresses: gateway.workerAddresses
            ),
            gateway: gateway.configuration,
            arena: noGateway ? nil : arena,
            apiKeys: try apiKeys.keySet(),
            controllerTLS: tls,
            gatewayTLS: tls,
            limits: daemon.server.limits()
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
    var apiKeys: APIKeySet
    /// HTTPS on the registry's listener and on the gateway's (`up` serves HTTPS on the gateway only).
    var controllerTLS: TLSConfiguration?
    var gatewayTLS: TLSConfiguration?
    /// Limits of both listeners; the gateway's body size is its own `maxBodySize`.
    var limits = ServerLimits()

    func services(
        httpClient: HTTPClient,
        onGatewayListening: @escaping @Sendable (Int, WorkerDirectory) async -> Void = { _, _ in }
    ) throws -> [any Service] {
        var configuration = controller
        configuration.beatStreamLifetime = limits.requestTimeout / 2
        let controller = Controller(configuration: configuration, httpClient: httpClient, logger: Logger(label: "switchyard.controller"))
        let router = Router<BasicRequestContext>.switchyard(boundTo: host)
        controller.addRoutes(to: router)
        var services: [any Service] = [
            try makeServer(
                role: "controller", router: router, host: host, port: port, tls: controllerTLS, limits: limits,
                dataPlane: { [host] in controller.beatStreamHandler(boundTo: host) }, logger: Logger(label: "switchyard.controller")
            )
        ]
        services += controller.services
        if let gatewayPort {
            let gatewayLogger = Logger(label: "switchyard.gateway")
            var gatewayLimits = limits
            gatewayLimits.maxBodySize = self.gateway.maxBodySize
            let gateway = Gateway(configuration: self.gateway, httpClient: httpClient, logger: gatewayLogger)
            let gatewayRouter = Router<BasicRequestContext>.switchyard(boundTo: host)
            gatewayRouter.add(middleware: APIKeyMiddleware(keys: apiKeys))
            gateway.addRoutes(to: gatewayRouter)
            try arena?.makeArena(gateway: gateway)?.addRoutes(to: gatewayRouter)
            let dataPlane = GatewayDataPlane(gateway: gateway, keys: apiKeys, browserGuard: BrowserRequestGuard(bindHost: host))
            let store = controller.store
            services.append(LocalRegistryFeed(watch: { store.watch() }, directory: gateway.directory))
            services += gateway.services
            services.append(
                try makeServer(
                    role: "gateway", router: gatewayRouter, host: host, port: gatewayPort, tls: gatewayTLS, limits: gatewayLimits,
                    dataPlane: { [maxBodySize = gatewayLimits.maxBodySize] in DataPlaneHandler(dataPlane, maxBodySize: maxBodySize) },
                    logger: gatewayLogger
                ) { port in
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
