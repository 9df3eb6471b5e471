import ArgumentParser
import Bench
import Foundation

/// `switchyard bench-heartbeats`: what a crowd of workers' heartbeats costs a controller.
struct HeartbeatBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-heartbeats",
        abstract: "Register many fake workers with a controller and beat for each at a steady rate; read the controller's CPU and memory meanwhile."
    )

    @Option(help: "Controller base URL.")
    var controller: String = "http://127.0.0.1:21001"

    @Option(help: "Fake workers to register.")
    var workers: Int = 10_000

    @Option(help: "Seconds between two beats of one worker; all workers' beats are spread evenly over it.")
    var interval: Double = 1

    @Option(help: "Seconds to beat for, after registering.")
    var duration: Double = 30

    @Option(help: "Requests in flight at once; with streamed beats, the number of beat streams.")
    var connections: Int = 32

    @Flag(help: "Beat with one POST /receive_heart_beat each, as FastChat's workers do, instead of over heartbeat streams.")
    var postBeats = false

    @Flag(help: "Print the report as JSON.")
    var json = false

    @OptionGroup var registration: RegistrationTokenOption

    func validate() throws {
        if workers < 1 { throw ValidationError("--workers must be at least 1.") }
        if interval <= 0 { throw ValidationError("--interval must be positive.") }
        if duration <= 0 { throw ValidationError("--duration must be positive.") }
        if connections < 1 { throw ValidationError("--connections must be at least 1.") }
    }

    func run() async throws {
        let load = HeartbeatLoad(configuration: HeartbeatLoadConfiguration(
            controllerURL: controller,
            workers: workers,
            interval: .seconds(fractional: interval),
            duration: .seconds(fractional: duration),
            connections: connections,
            registrationToken: registration.registrationToken,
            streamed: !postBeats
        ))
        // Scripts read this line to start measuring the controller once registration is over.
        let report = try await load.run { registered in
            FileHandle.standardError.write(Data("beating for \(registered) registered workers\n".utf8))
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(String(
                format: "%d workers (%d registered): %d beats sent, %d failed, %d forgotten in %.1f s: %.0f beats/s (target %.0f); generator CPU %.2f cores",
                report.workers, report.registered, report.sent, report.failed, report.forgotten,
                report.seconds, report.beatsPerSecond, report.targetBeatsPerSecond, report.generatorCPUCores
            ))
        }
    }
}
