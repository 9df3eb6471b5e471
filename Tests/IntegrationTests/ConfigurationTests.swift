import Foundation
import SwitchyardCore
import Testing

/// Daemons configured by YAML files and SWITCHYARD_* variables, and `switchyard config check`.
@Suite(.timeLimit(.minutes(2)))
struct ConfigurationTests {
    static func file(_ name: String, _ yaml: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-config-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let path = directory.appendingPathComponent(name).path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func daemonsTakeTheirSettingsFromFilesAndTheEnvironment() async throws {
        let controllerFile = try Self.file(
            "controller.yaml",
            """
            port: 0
            no-gateway: true
            # overridden by SWITCHYARD_CONTROLLER_REGISTRATION_TOKEN
            registration-token: from-the-file
            """
        )
        let controllerProcess = try SwitchyardProcess(
            "controller",
            ["controller", "--config", controllerFile],
            environment: ["SWITCHYARD_CONTROLLER_REGISTRATION_TOKEN": "fleet-secret"]
        )
        let controller = try await controllerProcess.url(of: "controller")

        let workerFile = try Self.file(
            "worker.yaml",
            """
            port: 0
            model-names: configured-model
            heart-beat-interval: 0.3
            weight: 2
            registration-token: fleet-secret
            """
        )
        let workerProcess = try SwitchyardProcess(
            "worker",
            ["worker", "--controller", controller, "--weight", "3"],
            environment: ["SWITCHYARD_CONFIG": workerFile]
        )
        _ = try await workerProcess.url(of: "worker")
        try await CoreLoopTests.waitForWorkers(controller, count: 1, token: "fleet-secret")
        let worker = try #require(try await HTTP.workers(controller, token: "fleet-secret").first)
        #expect(worker.models == ["configured-model"])
        #expect(worker.speed == 3)

        // The file's token lost to the environment's: a worker holding only the file's is refused.
        let stranger = try SwitchyardProcess(
            "stranger",
            ["worker", "--port", "0", "--controller", controller, "--model-names", "rogue", "--registration-token", "from-the-file"]
        )
        _ = try await stranger.url(of: "worker")
        try await Task.sleep(for: .seconds(1))
        #expect(try await HTTP.workers(controller, token: "fleet-secret").map(\.models) == [["configured-model"]])
        #expect(stranger.log.contains("401"))
    }

    @Test func aBadFileStopsTheDaemonWithItsLines() async throws {
        let path = try Self.file("gateway.yaml", "port: 0\nprobe-timout: 2\nmax-retries: many\n")
        let gateway = try SwitchyardProcess("gateway", ["gateway", "--config", path])
        #expect(try await gateway.exitStatus() == 78)
        #expect(gateway.log.contains("\(path):2: unknown key probe-timout; did you mean probe-timeout?"))
        #expect(gateway.log.contains("\(path):3: max-retries: The value 'many' is invalid for '--max-retries <max-retries>'"))
        #expect(!gateway.log.contains("listening"))
    }

    @Test func configCheckReportsProblemsWithLinesAndPassesTheExamples() async throws {
        let bad = try Self.file("worker.yaml", "model-names: m\nbackend: openai\nlimit-concurrency: 0x\n")
        let checked = try await SwitchyardProcess.run(["config", "check", bad])
        #expect(checked.status == 1)
        #expect(checked.errors.contains("\(bad):3: limit-concurrency: The value '0x' is invalid"))
        #expect(checked.errors.contains("\(bad):2: --backend openai needs --upstream URL."))

        let unnamed = try Self.file("fleet.yaml", "port: 1\n")
        #expect(try await SwitchyardProcess.run(["config", "check", unnamed]).status != 0)
        #expect(try await SwitchyardProcess.run(["config", "check", unnamed, "--for", "gateway"]).status == 0)

        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for command in ["controller", "worker", "gateway", "up"] {
            let example = try await SwitchyardProcess.run(["config", "check", root.appendingPathComponent("Config/\(command).yaml").path])
            #expect(example.status == 0, "\(example.errors)")
        }
    }
}
