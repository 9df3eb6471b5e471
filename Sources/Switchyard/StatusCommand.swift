import ArgumentParser
import AsyncHTTPClient
import Foundation
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

    func get(_ path: String) async throws -> ByteBuffer {
        try await send(HTTPClientRequest(url: controller.trimmingSuffix("/") + path))
    }

    func post(_ path: String, _ value: some Encodable) async throws -> ByteBuffer {
        var request = HTTPClientRequest(url: controller.trimmingSuffix("/") + path)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
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

    @Flag(help: "Print JSON: {\"workers\": [{\"address\", \"models\", \"state\", \"queue_length\", \"last_heartbeat_age_s\", ...}]}.")
    var json = false

    @Flag(help: "Refresh the table every second until interrupted.")
    var watch = false

    func run() async throws {
        repeat {
            let body = try await controller.get("/api/v1/workers")
            if json {
                print(String(buffer: body))
            } else {
                let list = try JSONDecoder().decode(WorkerList.self, from: body)
                if watch { print("\u{1B}[2J\u{1B}[H", terminator: "") }
                print(StatusTable(workers: list.workers).render())
            }
            if watch { try await Task.sleep(for: .seconds(1)) }
        } while watch
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

/// The operator's table of workers.
struct StatusTable {
    var workers: [WorkerRecord]

    func render() -> String {
        let header = ["ADDRESS", "MODELS", "STATE", "QUEUE", "LIMIT", "LAST BEAT"]
        let rows = workers.map { worker in
            [
                worker.address,
                worker.models.joined(separator: ","),
                worker.state.rawValue,
                String(worker.queueLength),
                worker.limitConcurrency.map(String.init) ?? "-",
                String(format: "%.1fs ago", worker.lastHeartbeatAgeSeconds),
            ]
        }
        let widths = header.indices.map { column in
            ([header] + rows).map { $0[column].count }.max() ?? 0
        }
        func line(_ cells: [String]) -> String {
            zip(cells, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        var lines = [line(header)] + rows.map(line)
        let models = Set(workers.flatMap(\.models)).sorted()
        lines.append("")
        lines.append("\(workers.count) worker\(workers.count == 1 ? "" : "s"), \(models.count) model\(models.count == 1 ? "" : "s")\(models.isEmpty ? "" : ": " + models.joined(separator: ", "))")
        return lines.joined(separator: "\n")
    }
}
