import ArgumentParser
import Foundation

@main
struct SwitchyardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "switchyard",
        abstract: "An LLM serving fabric: a controller, workers wrapping model backends, and an OpenAI-compatible gateway.",
        subcommands: [
            UpCommand.self,
            ControllerCommand.self,
            WorkerCommand.self,
            GatewayCommand.self,
            StatusCommand.self,
            LeaderboardCommand.self,
            BenchCommand.self,
            HeartbeatBenchCommand.self,
            EvalCommand.self,
            ConfigCommand.self,
        ]
    )

    /// Parses the command line completed from the environment and the configuration file; a bad
    /// file stops here with every problem and its line (exit 78, EX_CONFIG), before anything starts.
    static func main() async {
        let commandLine: ConfiguredCommandLine
        do {
            commandLine = try await ConfiguredCommandLine(arguments: Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment)
        } catch {
            FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
            Foundation.exit(78)
        }
        do {
            var command = try parseAsRoot(commandLine.arguments)
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            if let origin = commandLine.origin(ofOptionIn: message(for: error)) {
                FileHandle.standardError.write(Data("\(origin)\n".utf8))
            }
            exit(withError: error)
        }
    }
}
