import ArgumentParser
import Foundation
import Logging
import SwitchyardCore

/// Options every daemon shares.
struct DaemonOptions: ParsableArguments {
    @Option(help: "Address to bind. Binding beyond loopback must be asked for explicitly.")
    var host: String = "127.0.0.1"

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    @Option(help: "Log format: json (one object per line, for log pipelines) or text (for people).")
    var logFormat: LogFormat = .json

    @OptionGroup var tls: TLSOptions

    @OptionGroup var server: ServerLimitOptions

    @Option(help: "YAML file of options, keyed by their long names (env SWITCHYARD_CONFIG); the command line and SWITCHYARD_* variables win over it. See `switchyard config`.")
    var config: String?

    enum LogFormat: String, ExpressibleByArgument, CaseIterable {
        case json, text
    }

    /// Logging and the Prometheus registry behind `/metrics`; once per process, before anything logs.
    func bootstrapObservability() {
        let level = logLevel
        let format = logFormat
        // One limiter for every logger: a flood is one message repeated, whichever logger writes it.
        let limiter = RateLimitedLogHandler.Shared()
        LoggingSystem.bootstrap { label in
            let handler: any LogHandler =
                switch format {
                case .json: JSONLogHandler(label: label)
                case .text: StreamLogHandler.standardError(label: label)
                }
            var limited = RateLimitedLogHandler(wrapping: handler, shared: limiter)
            limited.logLevel = level
            return limited
        }
        SwitchyardMetrics.bootstrap()
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

extension Duration {
    /// Seconds from the command line; validation keeps them finite, this keeps them in range.
    static func seconds(fractional seconds: Double) -> Duration {
        .nanoseconds(Int64(min(max(seconds.isFinite ? seconds : 0, 0), 1e9) * 1e9))
    }
}

/// Writes a line to standard output at once: scripts and tests wait for the "listening on" lines.
func announce(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
