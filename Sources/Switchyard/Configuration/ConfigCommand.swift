import ArgumentParser
import Foundation

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check a YAML configuration file, or print a documented one.",
        discussion: """
            Every option of controller, worker, gateway and up can also come from the environment \
            (SWITCHYARD_<COMMAND>_<OPTION>, then SWITCHYARD_<OPTION>, e.g. SWITCHYARD_WORKER_PORT, \
            SWITCHYARD_LOG_LEVEL) or from a YAML file given by --config FILE or SWITCHYARD_CONFIG, \
            whose keys are the long option names. The command line wins over the environment, the \
            environment over the file, the file over the defaults.
            """,
        subcommands: [CheckConfig.self, ExampleConfig.self]
    )

    /// The commands a file can configure: those with a `--config` option.
    static let configurable: [any ParsableCommand.Type] = SwitchyardCommand.configuration.subcommands.filter { command in
        CommandOption.options(of: command).contains(where: \.isConfigFile)
    }

    static func command(named name: String) throws -> any ParsableCommand.Type {
        guard let command = configurable.first(where: { $0._commandName == name }) else {
            throw ValidationError("No configuration file for '\(name)'; use one of \(configurable.map { $0._commandName }.joined(separator: ", ")).")
        }
        return command
    }
}

struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Report unknown keys and bad values of a configuration file, with their lines; exit 1 if any."
    )

    @Argument(help: "The YAML file.")
    var file: String

    @Option(name: .customLong("for"), help: "The command the file configures: controller, worker, gateway or up (default: the file's name, as in worker.yaml).")
    var command: String?

    func run() throws {
        let name = command ?? URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        guard command != nil || ConfigCommand.configurable.contains(where: { $0._commandName == name }) else {
            throw ValidationError("Which command is \(file) for? Name it with --for controller|worker|gateway|up.")
        }
        let options = CommandOption.options(of: try ConfigCommand.command(named: name)).filter { !$0.isConfigFile }
        do {
            let checked = try ConfiguredCommandLine.checkedFile(at: file, commandPath: [name], options: options)
            print("\(file): ok, \(checked.entries.count) setting\(checked.entries.count == 1 ? "" : "s") for \(name)")
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}

struct ExampleConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "example",
        abstract: "Print a configuration file with every option of a command, documented and set to its default."
    )

    @Argument(help: "controller, worker, gateway or up.")
    var command: String

    func run() throws {
        print(ConfigExample(command: try ConfigCommand.command(named: command)).yaml, terminator: "")
    }
}
