import ArgumentParser

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
        ]
    )
}
