import Foundation
import Testing

@testable import Switchyard

@Suite struct ConfigFileTests {
    @Test func entriesKeepTheirLines() throws {
        let file = try ConfigFile(
            yaml: """
                # a comment
                port: 8001

                alias:
                  - gpt=llama
                  - fast=qwen
                no-arena: true
                tls-cert:
                api-key: [a, b]
                dispatch: {nested: value}
                """
        )
        #expect(
            file.entries == [
                .init(key: "port", value: .scalar("8001"), line: 2),
                .init(key: "alias", value: .list(["gpt=llama", "fast=qwen"]), line: 4),
                .init(key: "no-arena", value: .scalar("true"), line: 7),
                .init(key: "tls-cert", value: .empty, line: 8),
                .init(key: "api-key", value: .list(["a", "b"]), line: 9),
                .init(key: "dispatch", value: .nested, line: 10),
            ]
        )
    }

    @Test func emptyFileHasNoEntries() throws {
        #expect(try ConfigFile(yaml: "# nothing set\n").entries.isEmpty)
    }

    @Test func syntaxErrorsNameTheirLine() {
        #expect(throws: ConfigFile.SyntaxError.self) { try ConfigFile(yaml: "port: 1\nalias: [a\nhost: x\n") }
        do {
            _ = try ConfigFile(yaml: "port: 1\nport: 2\n")
            Issue.record("a duplicated key parsed")
        } catch {
            #expect(error.message.contains("port"))
        }
        do {
            _ = try ConfigFile(yaml: "- just\n- a list\n")
            Issue.record("a top-level list parsed")
        } catch {
            #expect(error.line == 1)
        }
    }
}

@Suite struct ConfigCheckTests {
    static func problems(_ yaml: String, for command: String = "worker") throws -> [ConfigCheck.Problem] {
        let type = try ConfigCommand.command(named: command)
        let check = ConfigCheck(options: CommandOption.options(of: type).filter { !$0.isConfigFile }) {
            ConfiguredCommandLine.parseError([command] + $0)
        }
        return check.problems(in: try ConfigFile(yaml: yaml))
    }

    @Test func aGoodFileHasNoProblems() throws {
        #expect(try Self.problems("port: 0\nmodel-names: a,b\nweight: 2.5\nsim-ttft: 0.1\n").isEmpty)
        // Required options may be left to the command line.
        #expect(try Self.problems("port: 0\n").isEmpty)
        #expect(try Self.problems("no-gateway: yes\nalias: [gpt=llama]\nmodel-dispatch: llama=session\n", for: "controller").isEmpty)
    }

    @Test func unknownKeysAreReportedWithASuggestion() throws {
        let problems = try Self.problems("model-names: a\nprot: 1\ncompletely-unknown: 2\n")
        #expect(problems == [.init(line: 2, message: "unknown key prot; did you mean port?"), .init(line: 3, message: "unknown key completely-unknown")])
    }

    @Test func badValuesAreReportedInTheParsersWords() throws {
        let problems = try Self.problems("port: eighty\nlog-level: loud\nweight: -1\nbackend: sim\n")
        #expect(problems.map(\.line) == [1, 2, 3])
        #expect(problems[0].message.contains("'eighty' is invalid for '--port"))
        #expect(problems[1].message.contains("trace, debug, info"))
        #expect(problems[2].message.contains("--weight must be positive"))
    }

    @Test func shapesMustMatchTheOption() throws {
        let problems = try Self.problems("model-names: [a, b]\nsim-ttft:\nupstream: {url: x}\n")
        #expect(problems.map(\.line) == [1, 2, 3])
        #expect(problems[0].message == "model-names: takes one value, not a list")
        #expect(problems[1].message.contains("has no value"))
        let flags = try Self.problems("no-gateway: perhaps\nno-arena: [true]\n", for: "controller")
        #expect(flags.map(\.message) == ["no-gateway: expected true or false, not 'perhaps'", "no-arena: expected true or false, not a list"])
    }

    @Test func settingsThatClashPointAtOneOfThem() throws {
        let problems = try Self.problems("model-names: m\nport: 0\nbackend: openai\n")
        #expect(problems == [.init(line: 3, message: "--backend openai needs --upstream URL.")])
    }
}

@Suite struct ConfiguredCommandLineTests {
    static func file(_ yaml: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-\(UUID()).yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func parsed(_ arguments: [String], environment: [String: String] = [:]) async throws -> WorkerCommand {
        let commandLine = try await ConfiguredCommandLine(arguments: arguments, environment: environment)
        return try #require(try SwitchyardCommand.parseAsRoot(commandLine.arguments) as? WorkerCommand)
    }

    @Test func commandLineThenCommandVariableThenVariableThenFileThenDefault() async throws {
        let path = try Self.file("port: 1001\nweight: 2\nlimit-concurrency: 7\nlog-level: debug\nmodel-names: from-file\n")
        let environment = ["SWITCHYARD_WORKER_PORT": "1002", "SWITCHYARD_PORT": "1003", "SWITCHYARD_WEIGHT": "3", "SWITCHYARD_CONFIG": path]

        let fromCommandLine = try await Self.parsed(["worker", "--port", "1004"], environment: environment)
        #expect(fromCommandLine.port == 1004)
        #expect(fromCommandLine.weight == 3)
        #expect(fromCommandLine.limitConcurrency == 7)
        #expect(fromCommandLine.daemon.logLevel == .debug)
        #expect(fromCommandLine.modelNames == "from-file")
        #expect(fromCommandLine.heartBeatInterval == 3)

        #expect(try await Self.parsed(["worker"], environment: environment).port == 1002)
        var global = environment
        global["SWITCHYARD_WORKER_PORT"] = nil
        #expect(try await Self.parsed(["worker"], environment: global).port == 1003)
        #expect(try await Self.parsed(["worker", "--config", path]).port == 1001)
        #expect(try await Self.parsed(["worker", "--model-names", "m"]).port == 21002)
    }

    @Test func listsFlagsAndFastChatVariables() async throws {
        let path = try Self.file("model-names: m\nbackend: openai\nupstream: http://127.0.0.1:9/v1\nregistration-token: from-file\n")
        let worker = try await Self.parsed(
            ["worker", "--config=\(path)"],
            environment: ["FASTCHAT_WORKER_HEART_BEAT_INTERVAL": "0.5", "SWITCHYARD_ADMIN_TOKEN": "admin"]
        )
        #expect(worker.heartBeatInterval == 0.5)
        #expect(worker.upstream == "http://127.0.0.1:9/v1")
        #expect(worker.registration.registrationToken == "from-file")
        #expect(worker.admin.adminToken == "admin")

        let controller = try await ConfiguredCommandLine(
            arguments: ["controller"],
            environment: ["SWITCHYARD_ALIAS": "gpt=llama,qwen fast=qwen", "SWITCHYARD_NO_GATEWAY": "true"]
        )
        #expect(controller.arguments == ["controller", "--no-gateway", "--alias=gpt=llama,qwen", "--alias=fast=qwen"])
        #expect(controller.origin(ofOptionIn: "The value 'x' is invalid for '--alias <alias>'") == "--alias came from SWITCHYARD_ALIAS")
    }

    @Test func aBadFileStopsWithEveryProblemAndItsLine() async throws {
        let path = try Self.file("model-names: m\nprot: 1\nweight: none\n")
        do {
            _ = try await ConfiguredCommandLine(arguments: ["worker", "--config", path], environment: [:])
            Issue.record("a bad file was accepted")
        } catch {
            #expect(error.description == "\(path):2: unknown key prot; did you mean port?\n\(path):3: weight: The value 'none' is invalid for '--weight <weight>'")
        }
    }

    @Test func helpAndOtherCommandsAreLeftAlone() async throws {
        let environment = ["SWITCHYARD_PORT": "1", "SWITCHYARD_CONFIG": "/nonexistent.yaml"]
        #expect(try await ConfiguredCommandLine(arguments: ["worker", "--help"], environment: environment).arguments == ["worker", "--help"])
        #expect(try await ConfiguredCommandLine(arguments: [], environment: environment).arguments == [])
        // `status` reads the environment but has no configuration file.
        let status = try await ConfiguredCommandLine(arguments: ["status", "drain", "http://w"], environment: environment.merging(["SWITCHYARD_ADMIN_TOKEN": "t"]) { $1 })
        #expect(status.arguments == ["status", "drain", "http://w", "--admin-token=t"])
    }
}

@Suite struct ConfigExampleTests {
    /// The files in Config/ are the generated examples, so every option is documented there.
    @Test(arguments: ["controller", "worker", "gateway", "up"])
    func configDirectoryHoldsTheGeneratedExample(command: String) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let committed = try String(contentsOf: root.appendingPathComponent("Config/\(command).yaml"), encoding: .utf8)
        let generated = ConfigExample(command: try ConfigCommand.command(named: command)).yaml
        #expect(committed == generated, "regenerate with: swift run switchyard config example \(command) > Config/\(command).yaml")
        // Uncommented, the defaults it shows are valid settings.
        let names = Set(CommandOption.options(of: try ConfigCommand.command(named: command)).map(\.name))
        let defaults = generated.split(separator: "\n").compactMap { line -> String? in
            guard line.hasPrefix("# "), let colon = line.firstIndex(of: ":"), line[colon...].count > 2,
                names.contains(String(line[line.index(line.startIndex, offsetBy: 2)..<colon]))
            else { return nil }
            return String(line.dropFirst(2))
        }
        #expect(defaults.count > 10)
        #expect(try ConfigCheckTests.problems(defaults.joined(separator: "\n"), for: command).isEmpty)
    }

    @Test func everyOptionOfEveryDaemonIsInItsExample() throws {
        for command in ConfigCommand.configurable {
            let yaml = ConfigExample(command: command).yaml
            for option in CommandOption.options(of: command) where !option.isConfigFile {
                #expect(yaml.contains("\n# \(option.name):"), "\(command._commandName) \(option.name)")
            }
        }
    }
}
