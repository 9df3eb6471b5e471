import ArgumentParser
import AsyncHTTPClient
import Backends
import Conversation
import Hummingbird
import HummingbirdTLS
import Logging
import ServiceLifecycle
import SwitchyardCore
import Worker

enum BackendKind: String, ExpressibleByArgument, CaseIterable {
    case sim
    case openai
    case process
}

/// Where gateways send a worker's requests (see ``DataPlane``).
enum DataPlaneOption: String, ExpressibleByArgument, CaseIterable {
    case worker
    case direct
}

/// Options of the built-in simulator.
struct SimulatorOptions: ParsableArguments {
    @Option(name: .customLong("sim-ttft"), help: "Simulator: seconds before the first token.")
    var timeToFirstToken: Double = 0

    @Option(name: .customLong("sim-tokens-per-second"), help: "Simulator: token rate; 0 streams without delay.")
    var tokensPerSecond: Double = 0

    @Option(name: .customLong("sim-output-tokens"), help: "Simulator: tokens per reply unless the request asks for fewer.")
    var outputTokens: Int = 16

    var configuration: SimulatorConfiguration {
        SimulatorConfiguration(
            timeToFirstToken: .seconds(fractional: timeToFirstToken),
            tokensPerSecond: tokensPerSecond,
            outputTokens: outputTokens
        )
    }

    func validate() throws {
        try Self.validate(timeToFirstToken: timeToFirstToken, tokensPerSecond: tokensPerSecond, outputTokens: outputTokens)
    }

    /// Refuses what the simulator could not honour in bounded time and memory (`up` has the same options).
    static func validate(timeToFirstToken: Double, tokensPerSecond: Double, outputTokens: Int) throws {
        if !(0...3600).contains(timeToFirstToken) { throw ValidationError("--sim-ttft must be between 0 and 3600 seconds.") }
        if !(tokensPerSecond >= 0 && tokensPerSecond <= 1e9) { throw ValidationError("--sim-tokens-per-second must be between 0 and 1e9.") }
        if !(0...100_000).contains(outputTokens) { throw ValidationError("--sim-output-tokens must be between 0 and 100000.") }
    }
}

struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run a worker that wraps one model backend and registers with a controller."
    )

    @OptionGroup var daemon: DaemonOptions

    @Option(help: "Port to listen on (0 picks a free one).")
    var port: Int = 21002

    @Option(help: "Controller base URL.")
    var controller: String = "http://127.0.0.1:21001"

    @Option(help: "URL the controller and gateways use to reach this worker (default http://HOST:PORT).")
    var workerAddress: String?

    @Option(help: "Comma-separated model names this worker serves.")
    var modelNames: String

    @Option(help: "Backend: sim (built-in simulator), openai (an OpenAI-compatible --upstream) or process (runs --command).")
    var backend: BackendKind = .sim

    @Option(help: "Base URL of the OpenAI-compatible server for --backend openai (vLLM, llama.cpp server, Ollama, TGI); for --backend process, default http://127.0.0.1:{port}.")
    var upstream: String?

    @Option(help: "For --backend process: the server command, run by /bin/sh -c; {port} becomes --backend-port.")
    var command: String?

    @Option(help: "For --backend process: the port that replaces {port} (default: a free loopback port).")
    var backendPort: Int?

    @Option(help: "Model name to send upstream, when it differs from --model-names.")
    var upstreamModel: String?

    @Option(help: "Relative capacity reported as FastChat's speed; policies weigh load by it.")
    var weight: Double = 1

    @Option(help: "Requests run at once; more wait in a FIFO queue.")
    var limitConcurrency: Int = 64

    @Option(help: "Seconds between heartbeats (FastChat's FASTCHAT_WORKER_HEART_BEAT_INTERVAL also sets it).")
    var heartBeatInterval: Double = 3

    @Option(help: "worker: requests pass through this worker. direct: gateways call the --upstream itself, saving a hop; this worker registers it, beats for it, checks its health and reports its load from its /metrics (--backend openai only).")
    var dataPlane: DataPlaneOption = .worker

    @Option(help: "FastChat conversation template this worker reports on /worker_get_conv_template (one of fschat 0.2.36's; default one_shot, FastChat's for a model it does not know). FastChat's API server and web UI build prompts with it.")
    var convTemplate: String = WorkerConfiguration.defaultConversationTemplate

    @Option(help: "Context length reported on FastChat's /model_details (default: the backend's, else FastChat's 2048).")
    var contextLength: Int?

    @OptionGroup var simulator: SimulatorOptions

    @OptionGroup var registration: RegistrationTokenOption

    @OptionGroup var admin: AdminTokenOption

    func validate() throws {
        if backend == .openai && upstream == nil {
            throw ValidationError("--backend openai needs --upstream URL.")
        }
        if (backend == .process) != (command != nil) {
            throw ValidationError("--command goes with --backend process, and --backend process needs it.")
        }
        if let backendPort, !(1...65535).contains(backendPort) {
            throw ValidationError("--backend-port must be between 1 and 65535.")
        }
        if dataPlane == .direct && (backend != .openai || upstreamModel != nil) {
            throw ValidationError("--data-plane direct needs --backend openai and no --upstream-model: gateways send requests to the upstream as they are.")
        }
        if !(weight > 0 && weight < 1e6) {
            throw ValidationError("--weight must be positive and below a million.")
        }
        // The controller refuses a registration beyond these bounds: say so now, not at every retry.
        if !(1...WorkerStatus.maxLimitConcurrency).contains(limitConcurrency) {
            throw ValidationError("--limit-concurrency must be from 1 to \(WorkerStatus.maxLimitConcurrency).")
        }
        guard let template = ConversationTemplate.named(convTemplate) else {
            throw ValidationError("--conv-template must name one of FastChat 0.2.36's templates: \(ConversationTemplate.registeredNames.joined(separator: ", ")).")
        }
        if template.separatorStyle == nil {
            throw ValidationError("--conv-template \(convTemplate) is one of FastChat's API-only templates, which build no prompt.")
        }
        if let contextLength, !(1...(1 << 24)).contains(contextLength) {
            throw ValidationError("--context-length must be from 1 to \(1 << 24).")
        }
        if parsedModelNames.isEmpty {
            throw ValidationError("--model-names needs at least one name.")
        }
        if parsedModelNames.count > WorkerStatus.maxModelNames || parsedModelNames.contains(where: { $0.utf8.count > WorkerStatus.maxModelNameBytes }) {
            throw ValidationError("--model-names takes at most \(WorkerStatus.maxModelNames) names of at most \(WorkerStatus.maxModelNameBytes) bytes.")
        }
        if let workerAddress, let problem = WorkerAddressPolicy().problem(with: workerAddress) {
            throw ValidationError("--worker-address \(problem).")
        }
        if workerAddress == nil && (daemon.host == "0.0.0.0" || daemon.host == "::") {
            throw ValidationError("Binding to \(daemon.host) needs --worker-address: the URL others reach this worker at.")
        }
        if workerAddress == nil && daemon.tls.isEnabled {
            throw ValidationError("--tls-cert needs --worker-address https://NAME:PORT, with the name the certificate is for.")
        }
    }

    var parsedModelNames: [String] {
        modelNames.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    func run() async throws {
        daemon.bootstrapObservability()
        let configuration = WorkerConfiguration(
            controllerURL: controller,
            workerAddress: workerAddress,
            modelNames: parsedModelNames,
            weight: weight,
            limitConcurrency: limitConcurrency,
            heartbeatInterval: .seconds(fractional: heartBeatInterval),
            dataPlane: dataPlane == .direct ? .direct(upstream: upstream!) : .worker,
            access: WorkerAccess(registrationToken: registration.token, adminToken: admin.token, loopback: daemon.isLoopback),
            conversationTemplate: ConversationTemplate.named(convTemplate)!,
            contextLength: contextLength
        )
        let tls = try daemon.tls.configuration()
        try await runDaemon(logger: Logger(label: "switchyard.worker")) { httpClient in
            switch self.backend {
            case .sim:
                let backend = SimulatorBackend(configuration: simulator.configuration)
                return try workerServices(configuration: configuration, backend: backend, host: daemon.host, port: port, tls: tls, limits: daemon.server.limits(), httpClient: httpClient)
            case .openai:
                let backend = OpenAIUpstreamBackend(upstream: upstream!, upstreamModel: upstreamModel, httpClient: httpClient)
                return try workerServices(configuration: configuration, backend: backend, host: daemon.host, port: port, tls: tls, limits: daemon.server.limits(), httpClient: httpClient)
            case .process:
                let backend = try processBackend(httpClient: httpClient)
                // First in the list, so it stops last: after the worker has drained.
                return try [ProcessSupervisorService(supervisor: backend.supervisor)]
                    + workerServices(configuration: configuration, backend: backend, host: daemon.host, port: port, tls: tls, limits: daemon.server.limits(), httpClient: httpClient)
            }
        }
    }

    func processBackend(httpClient: HTTPClient) throws -> ProcessBackend {
        let serverPort = try backendPort ?? ProcessBackend.freeLoopbackPort()
        let upstream = OpenAIUpstreamBackend(
            upstream: ProcessBackend.substitutingPort(serverPort, in: upstream ?? "http://127.0.0.1:{port}"),
            upstreamModel: upstreamModel,
            httpClient: httpClient
        )
        return ProcessBackend(
            upstream: upstream,
            configuration: ProcessSupervisorConfiguration(command: ProcessBackend.substitutingPort(serverPort, in: command!)),
            logger: Logger(label: "switchyard.worker.process")
        )
    }
}

/// Runs a worker's model server for as long as the worker runs; on graceful shutdown it stops the
/// server (SIGTERM, then SIGKILL) and waits for it to exit, so the server never outlives the worker.
struct ProcessSupervisorService: Service {
    let supervisor: ProcessSupervisor

    func run() async throws {
        await withGracefulShutdownHandler {
            await supervisor.run()
        } onGracefulShutdown: {
            supervisor.stop()
        }
    }
}

/// A worker's server followed by its lifecycle, so SIGTERM drains before the server stops.
func workerServices(
    configuration: WorkerConfiguration,
    backend: any ModelBackend,
    host: String,
    port: Int,
    tls: TLSConfiguration? = nil,
    limits: ServerLimits = ServerLimits(),
    httpClient: HTTPClient
) throws -> [any Service] {
    let logger = Logger(label: "switchyard.worker")
    let worker = Worker(configuration: configuration, backend: backend, httpClient: httpClient, logger: logger)
    let router = Router<BasicRequestContext>.switchyard(boundTo: host)
    worker.addRoutes(to: router)
    let dataPlane = WorkerDataPlane(worker: worker, browserGuard: BrowserRequestGuard(bindHost: host))
    let server = try makeServer(
        role: "worker", router: router, host: host, port: port, tls: tls, limits: limits,
        dataPlane: { DataPlaneHandler(dataPlane, maxBodySize: limits.maxBodySize) }, logger: logger
    ) { port in
        worker.serverStarted(host: urlHost(host), port: port)
    }
    return [server, worker.lifecycleService]
}
