import ArgumentParser
import Foundation
import AsyncHTTPClient
import Backends
import Controller
import Gateway
import Logging
import ServiceLifecycle
import SwitchyardCore
import Worker

struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Run everything in one process: controller, OpenAI gateway and simulated workers."
    )

    @OptionGroup var daemon: DaemonOptions

    @Option(help: "Port of the OpenAI API.")
    var port: Int = 8000

    @Option(help: "Port of the controller API (what `switchyard status` reads; 0 picks a free one).")
    var controllerPort: Int = 21001

    @OptionGroup var gateway: GatewayOptions

    @OptionGroup var arena: ArenaOptions

    @OptionGroup var apiKeys: APIKeyOptions

    @OptionGroup var registration: RegistrationTokenOption

    @OptionGroup var admin: AdminTokenOption

    @Option(help: "Number of simulated workers.")
    var workers: Int = 2

    @Option(help: "Model names of the simulated workers, comma-separated, given out in turn (two or more make the arena work).")
    var models: String = "switchyard-sim"

    @Option(name: .customLong("sim-ttft"), help: "Simulator: seconds before the first token.")
    var timeToFirstToken: Double = 0.05

    @Option(name: .customLong("sim-tokens-per-second"), help: "Simulator: token rate; 0 streams without delay.")
    var tokensPerSecond: Double = 50

    @Option(name: .customLong("sim-output-tokens"), help: "Simulator: tokens per reply unless the request asks for fewer.")
    var outputTokens: Int = 24

    func validate() throws {
        if !(1...256).contains(workers) { throw ValidationError("--workers must be between 1 and 256.") }
        try SimulatorOptions.validate(timeToFirstToken: timeToFirstToken, tokensPerSecond: tokensPerSecond, outputTokens: outputTokens)
        if modelNames.isEmpty { throw ValidationError("--models needs at least one name.") }
        // The simulated workers register at the bound host: refused, `up` would never be ready.
        if gateway.workerNetworks != nil, !gateway.workerAddresses.allows("http://\(urlHost(daemon.host)):1") {
            throw ValidationError("--worker-networks must include \(daemon.host), where the simulated workers of `up` listen.")
        }
    }

    var modelNames: [String] {
        models.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    func run() async throws {
        daemon.bootstrapObservability()
        let host = daemon.host
        // The in-process workers need the controller's URL before it listens: port 0 is settled here.
        let controllerPort = self.controllerPort == 0 ? try ProcessBackend.freeLoopbackPort() : self.controllerPort
        let controllerURL = "http://\(urlHost(host)):\(controllerPort)"
        let expectedWorkers = workers
        let modelNames = self.modelNames
        let scheme = daemon.tls.isEnabled ? "https" : "http"
        let arenaLine = arena.noArena ? "" : "\n  Arena:       \(scheme)://\(urlHost(host)):PORT/arena   (needs two or more --models)"
        let model = modelNames[0]
        // Without --registration-token the in-process workers share a fresh one: nobody else can join.
        let registrationToken = registration.token ?? AccessToken.random()
        // Likewise an admin token: drains and the listing of worker addresses are the operator's.
        // A made one is printed once and left where `switchyard status` on this machine finds it.
        let adminToken = admin.token ?? AccessToken.random()
        let madeAdminToken = admin.token == nil ? adminToken : nil
        let access = ControllerAccess(registrationToken: registrationToken, adminToken: adminToken, loopback: daemon.isLoopback, allowUnauthenticatedWorkers: false)
        let workerAccess = WorkerAccess(registrationToken: registrationToken, adminToken: adminToken, loopback: daemon.isLoopback)
        let tokenFile = LocalAdminToken()
        defer { if let madeAdminToken { tokenFile.remove(madeAdminToken, port: controllerPort) } }
        let setup = ControllerSetup(
            host: host,
            port: controllerPort,
            gatewayPort: port,
            controller: ControllerConfiguration(dispatch: gateway.dispatch, access: access, workerAddresses: gateway.workerAddresses),
            gateway: gateway.configuration,
            arena: arena,
            apiKeys: try apiKeys.keySet(),
            // The workers reach the controller over plain HTTP on this machine; clients get HTTPS.
            controllerTLS: nil,
            gatewayTLS: try daemon.tls.configuration(),
            limits: daemon.server.limits()
        )
        let simulator = SimulatorConfiguration(
            timeToFirstToken: .seconds(fractional: timeToFirstToken),
            tokensPerSecond: tokensPerSecond,
            outputTokens: outputTokens
        )
        try await runDaemon(logger: Logger(label: "switchyard.up"), readTimeout: .seconds(fractional: gateway.responseTimeout)) { httpClient in
            var services = try setup.services(httpClient: httpClient) { gatewayPort, directory in
                // Announce once the workers are routable, so the printed curl line works at once.
                for _ in 0..<500 where directory.snapshot.workers.count < expectedWorkers {
                    try? await Task.sleep(for: .milliseconds(10))
                }
                let gatewayURL = "\(scheme)://\(urlHost(host)):\(gatewayPort)"
                // Written once the ports are ours, so a second `up` that fails to bind leaves the first one's file alone.
                var adminLine = ""
                if let madeAdminToken {
                    let saved = (try? tokenFile.write(madeAdminToken, port: controllerPort)) != nil
                    let hint = saved ? "switchyard status reads it from \(tokenFile.path(port: controllerPort))" : "pass it to switchyard status with --admin-token"
                    adminLine = "\n  Admin token: \(madeAdminToken.secret)   (made for this run; \(hint))"
                }
                announce(
                    """

                    Switchyard is up: \(directory.snapshot.workers.count) simulated workers serving \(modelNames.map { "\"\($0)\"" }.joined(separator: ", ")).
                      OpenAI API:  \(gatewayURL)/v1
                      Controller:  \(controllerURL)   (switchyard status)\(adminLine)\(arenaLine.replacingOccurrences(of: "PORT", with: String(gatewayPort)))
                      Try:
                        curl \(gatewayURL)/v1/chat/completions -H 'Content-Type: application/json' \\
                          -d '{"model": "\(model)", "messages": [{"role": "user", "content": "Hello Switchyard"}]}'

                    """
                )
            }
            for index in 0..<expectedWorkers {
                services += try workerServices(
                    configuration: WorkerConfiguration(controllerURL: controllerURL, modelNames: [modelNames[index % modelNames.count]], access: workerAccess),
                    backend: SimulatorBackend(configuration: simulator),
                    host: host,
                    port: 0,
                    limits: daemon.server.limits(),
                    httpClient: httpClient
                )
            }
            return services
        }
    }
}
