import ArgumentParser
import AsyncHTTPClient
import Gateway
import Hummingbird
import Logging
import Routing
import SwitchyardCore

struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "Run a standalone OpenAI gateway that mirrors a controller's registry."
    )

    @OptionGroup var daemon: DaemonOptions

    @Option(help: "Port of the OpenAI API.")
    var port: Int = 8000

    @Option(help: "Controller base URL.")
    var controller: String = "http://127.0.0.1:21001"

    @OptionGroup var options: GatewayOptions

    @OptionGroup var arena: ArenaOptions

    @OptionGroup var apiKeys: APIKeyOptions

    /// The controller's listing of worker addresses needs its registration token once it has one.
    @OptionGroup var registration: RegistrationTokenOption

    func run() async throws {
        daemon.bootstrapObservability()
        let logger = Logger(label: "switchyard.gateway")
        let keys = try apiKeys.keySet()
        let tls = try daemon.tls.configuration()
        let limits = daemon.server.limits(maxBodySize: options.maxBodyBytes)
        try await runDaemon(logger: logger, readTimeout: .seconds(fractional: options.responseTimeout)) { httpClient in
            let gateway = Gateway(configuration: options.configuration, httpClient: httpClient, logger: logger)
            let router = Router<BasicRequestContext>.switchyard(boundTo: daemon.host)
            router.add(middleware: APIKeyMiddleware(keys: keys))
            gateway.addRoutes(to: router)
            try arena.makeArena(gateway: gateway)?.addRoutes(to: router)
            let dataPlane = GatewayDataPlane(gateway: gateway, keys: keys, browserGuard: BrowserRequestGuard(bindHost: daemon.host))
            return [ControllerWatchFeed(controllerURL: controller, token: registration.token, directory: gateway.directory, logger: logger)]
                + gateway.services
                + [
                    try makeServer(
                        role: "gateway", router: router, host: daemon.host, port: port, tls: tls, limits: limits,
                        dataPlane: { DataPlaneHandler(dataPlane, maxBodySize: limits.maxBodySize) },
                        logger: logger
                    )
                ]
        }
    }
}
