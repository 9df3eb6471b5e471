import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOCore
import SwitchyardCore

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show every worker the controller knows."
    )

    @Option(help: "Controller base URL.")
    var controller: String = "http://127.0.0.1:21001"

    @Flag(help: "Print JSON: {\"workers\": [{\"address\", \"models\", \"state\", \"queue_length\", \"last_heartbeat_age_s\", ...}]}.")
    var json = false

    @Flag(help: "Refresh the table every second until interrupted.")
    var watch = false

    func run() async throws {
        let client = HTTPClient.shared
        repeat {
            let body: ByteBuffer
            do {
                let response = try await client.execute(
                    HTTPClientRequest(url: controller.trimmingSuffix("/") + "/api/v1/workers"),
                    timeout: .seconds(5)
                )
                body = try await response.body.collect(upTo: 64 << 20)
                guard response.status == .ok else {
                    throw ValidationError("The controller at \(controller) answered HTTP \(response.status.code).")
                }
            } catch let error as ValidationError {
                throw error
            } catch {
                throw ValidationError("Cannot reach the controller at \(controller): \(error)")
            }
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
