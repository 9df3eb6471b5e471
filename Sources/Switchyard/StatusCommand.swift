import ArgumentParser
import AsyncHTTPClient
import Foundation
import Gateway
#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import SwitchyardCore

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the workers the controller knows; drain or undrain one.",
        subcommands: [ShowStatus.self, DrainWorker.self, UndrainWorker.self],
        defaultSubcommand: ShowStatus.self
    )
}

struct ControllerOption: ParsableArguments {
    @Option(help: "Controller base URL.")
    var controller: String = "http://127.0.0.1:21001"

    /// Sent on every request: the listing of workers needs it once the controller has tokens.
    @OptionGroup var admin: AdminTokenOption

    /// The admin token given, else the one a `switchyard up` on this machine made for a loopback controller.
    var token: AccessToken? {
        admin.token ?? LocalAdminToken().read(controllerURL: controller)
    }

    func get(_ path: String) async throws -> ByteBuffer {
        var request = HTTPClientRequest(url: controller.trimmingSuffix("/") + path)
        if let token { request.headers.add(name: "authorization", value: "Bearer \(token.secret)") }
        return try await send(request)
    }

    func post(_ path: String, _ value: some Encodable) async throws -> ByteBuffer {
        var request = HTTPClientRequest(url: controller.trimmingSuffix("/") + path)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        if let token { request.headers.add(name: "authorization", value: "Bearer \(token.secret)") }
        request.body = .bytes(ByteBuffer(data: try JSONEncoder.switchyard.encode(value)))
        return try await send(request)
    }

    func workers() async throws -> [WorkerRecord] {
        try JSONDecoder().decode(WorkerList.self, from: try await get("/api/v1/workers")).workers
    }

    /// Sends a request, turning transport failures and error answers into one clear line.
    private func send(_ request: HTTPClientRequest) async throws -> ByteBuffer {
        let response: HTTPClientResponse
        let body: ByteBuffer
        do {
            response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
            body = try await response.body.collect(upTo: 64 << 20)
        } catch {
            throw ValidationError("Cannot reach the controller at \(controller): \(error)")
        }
        guard response.status == .ok else {
            let message = (try? JSONDecoder().decode(OpenAIError.Body.self, from: body).error.message) ?? String(buffer: body)
            throw ValidationError("The controller answered HTTP \(response.status.code): \(message)")
        }
        return body
    }
}

struct ShowStatus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Print the workers (the default).")

    @OptionGroup var controller: ControllerOption

    @Option(help: "A gateway whose view (circuit breakers, in-flight requests) is merged in; skipped when unreachable.")
    var gateway: String = "http://127.0.0.1:8000"

    @Option(help: "A client API key of that gateway, when it requires one.")
    var apiKey: String?

    @Flag(help: "Print JSON (schema in the README: workers with the controller's and the gateway's fields, and models).")
    var json = false

    @Flag(help: "Refresh the view every second until interrupted.")
    var watch = false

    func run() async throws {
        let colour = !json && isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        repeat {
            let workers = try await controller.workers()
            let report = StatusReport(workers: workers, gatewayView: await gatewayView())
            if json {
                print(String(decoding: try JSONEncoder.switchyard.encode(report), as: UTF8.self))
            } else {
                if watch { print("\u{1B}[2J\u{1B}[H", terminator: "") }
                print(StatusTable(report: report, colour: colour).render())
            }
            if watch { try await Task.sleep(for: .seconds(1)) }
        } while watch
    }

    /// The gateway's list of workers, or nil when no gateway answers at `--gateway`.
    func gatewayView() async -> [GatewayWorkerList.Worker]? {
        var request = HTTPClientRequest(url: gateway.trimmingSuffix("/") + "/api/v1/gateway/workers")
        if let apiKey { request.headers.add(name: "authorization", value: "Bearer \(apiKey)") }
        guard let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(2)), response.status == .ok,
            let body = try? await response.body.collect(upTo: 64 << 20)
        else { return nil }
        return try? JSONDecoder().decode(GatewayWorkerList.self, from: body).workers
    }
}

struct DrainWorker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drain",
        abstract: "Stop sending new requests to a worker; it finishes the ones it has."
    )

    @OptionGroup var controller: ControllerOption

    @Argument(help: "The worker's address, as `switchyard status` lists it.")
    var address: String

    @Flag(help: "Wait until the worker has no running or queued requests.")
    var wait = false

    func run() async throws {
        let drainedAt = ContinuousClock.now
        _ = try await controller.post("/api/v1/workers/drain", FastChat.WorkerAddressBody(address: address))
        print("draining \(address)")
        guard wait else { return }
        while true {
            let elapsed = ContinuousClock.now - drainedAt
            guard let worker = try await controller.workers().first(where: { $0.address == address }) else {
                print("\(address) left the registry")
                return
            }
            // Only a heartbeat sent after the drain tells the worker's queue as it is now.
            let beatSinceDrain = worker.lastHeartbeatAgeSeconds < Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            if worker.queueLength == 0 && beatSinceDrain {
                print("\(address) is drained: no requests running or queued")
                return
            }
            try await Task.sleep(for: .milliseconds(500))
        }
    }
}

struct UndrainWorker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "undrain", abstract: "Send requests to a drained worker again.")

    @OptionGroup var controller: ControllerOption

    @Argument(help: "The worker's address, as `switchyard status` lists it.")
    var address: String

    func run() async throws {
        _ = try await controller.post("/api/v1/workers/undrain", FastChat.WorkerAddressBody(address: address))
        print("\(address) takes requests again")
    }
}

/// The operator's table of workers: colour on a terminal, plain when piped.
struct StatusTable {
    var report: StatusReport
    var colour: Bool

    func render() -> String {
        let header = ["ADDRESS", "MODELS", "STATE", "IN-FLIGHT", "QUEUE", "LIMIT", "REQ/1M", "ERR/1M", "LAST BEAT"]
        let rows = report.workers.map(Self.cells)
        let widths = header.indices.map { column in
            ([header] + rows).map { $0[column].count }.max() ?? 0
        }
        func line(_ cells: [String], paint: (Int, String) -> String = { $1 }) -> String {
            var padded: [String] = []
            for (column, cell) in cells.enumerated() {
                padded.append(paint(column, cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)))
            }
            return padded.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        var lines = [line(header) { colour ? Self.bold($1) : $1 }]
        for (worker, row) in zip(report.workers, rows) {
            lines.append(
                line(row) { column, cell in
                    guard colour else { return cell }
                    if column == 2 { return Self.paint(cell, for: worker.condition) }
                    if column == 7, let errors = worker.activity?.errorsLastMinute, errors > 0 { return Self.red(cell) }
                    return cell
                }
            )
        }
        lines.append("")
        for model in report.models {
            lines.append("\(model.name): \(model.ready) of \(model.workers) worker\(model.workers == 1 ? "" : "s") ready")
        }
        lines.append("\(report.workers.count) worker\(report.workers.count == 1 ? "" : "s"), \(report.models.count) model\(report.models.count == 1 ? "" : "s")")
        return lines.joined(separator: "\n")
    }

    static func cells(of worker: StatusReport.Worker) -> [String] {
        let inFlight: String = worker.gatewayInFlight.map(String.init) ?? worker.activity.map { String($0.running) } ?? "-"
        let requests: String = worker.activity.map { String($0.requestsLastMinute) } ?? "-"
        let errors: String = worker.activity.map { String($0.errorsLastMinute) } ?? "-"
        return [
            worker.address,
            worker.models.joined(separator: ","),
            worker.condition,
            inFlight,
            String(worker.queueLength),
            worker.limitConcurrency.map(String.init) ?? "-",
            requests,
            errors,
            String(format: "%.1fs ago", worker.lastHeartbeatAgeSeconds),
        ]
    }

    static func paint(_ text: String, for condition: String) -> String {
        switch condition {
        case "ready": "\u{1B}[32m\(text)\u{1B}[0m"
        case "draining", "half open": "\u{1B}[33m\(text)\u{1B}[0m"
        default: red(text)
        }
    }

    static func red(_ text: String) -> String { "\u{1B}[31m\(text)\u{1B}[0m" }
    static func bold(_ text: String) -> String { "\u{1B}[1m\(text)\u{1B}[0m" }
}
