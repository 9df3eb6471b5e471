import ArgumentParser
import Configuration
import Foundation
import SystemPackage

/// A command line completed from the environment and a YAML file with swift-configuration, so
/// ArgumentParser parses, checks and documents every option once, wherever it came from.
///
/// Precedence: the command line, then `SWITCHYARD_<COMMAND>_<OPTION>`, then `SWITCHYARD_<OPTION>`
/// (FastChat's heartbeat variables count as the latter), then the file of `--config FILE` or
/// `SWITCHYARD_CONFIG`, then the option's default.
struct ConfiguredCommandLine {
    /// The command line to parse.
    var arguments: [String]
    /// Where options not on the command line came from (`SWITCHYARD_PORT`, `worker.yaml:3`).
    var origins: [String: String] = [:]

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// FastChat's environment variables and the options they stand for.
    static let fastChatVariables = [
        "FASTCHAT_CONTROLLER_HEART_BEAT_EXPIRATION": "SWITCHYARD_HEART_BEAT_EXPIRATION",
        "FASTCHAT_WORKER_HEART_BEAT_INTERVAL": "SWITCHYARD_HEART_BEAT_INTERVAL",
    ]

    init(arguments: [String], environment: [String: String]) async throws(Failure) {
        self.arguments = arguments
        let path = Self.commandPath(of: arguments)
        guard let command = path.last, path.count > 1,
            !arguments.contains(where: { ["-h", "--help", "--version", "--experimental-dump-help"].contains($0) })
        else { return }
        let commandName = path[1]._commandName
        let allOptions = CommandOption.options(of: command)
        let options = allOptions.filter { !$0.isConfigFile }
        var environment = environment
        for (fastChat, ours) in Self.fastChatVariables where environment[ours] == nil {
            environment[ours] = environment[fastChat]
        }
        let variables = EnvironmentVariablesProvider(environmentVariables: environment, arraySeparator: " ")
        var providers: [any ConfigProvider] = [
            KeyMappingProvider(upstream: variables) { AbsoluteConfigKey(["switchyard", commandName] + $0.components) },
            KeyMappingProvider(upstream: variables) { AbsoluteConfigKey(["switchyard"] + $0.components) },
        ]
        var file: (path: String, content: ConfigFile)?
        if allOptions.contains(where: \.isConfigFile), let filePath = Self.configPath(in: arguments, reader: ConfigReader(providers: providers)) {
            let content = try Self.checkedFile(at: filePath, commandPath: path.dropFirst().map { $0._commandName }, options: options)
            file = (filePath, content)
            do {
                providers.append(try await FileProvider<YAMLSnapshot>(filePath: FilePath(filePath)))
            } catch {
                throw Failure(description: "Cannot read the configuration file \(filePath): \(error)")
            }
        }
        let reader = ConfigReader(providers: providers)
        for option in options where !option.isGiven(in: arguments) {
            let key = ConfigKey([option.name])
            let origin =
                [Self.variable(commandName, option.name), Self.variable(nil, option.name)].first { environment[$0] != nil }
                ?? file.flatMap { file in file.content.entries.first { $0.key == option.name }.map { "\(file.path):\($0.line)" } }
            guard let origin else { continue }
            if option.isFlag {
                guard let text = reader.string(forKey: key), let on = ConfigCheck.bool(text) else {
                    throw Failure(description: "\(origin): \(option.name) expects true or false.")
                }
                if on { self.arguments.append("--\(option.name)") }
            } else if option.isRepeating {
                self.arguments += option.arguments(reader.stringArray(forKey: key) ?? reader.string(forKey: key).map { [$0] } ?? [])
            } else if let value = reader.string(forKey: key) {
                self.arguments += option.arguments([value])
            }
            origins[option.name] = origin
        }
    }

    /// The environment variable of an option, for one command or for all.
    static func variable(_ command: String?, _ option: String) -> String {
        (["SWITCHYARD", command].compactMap { $0 } + [option]).joined(separator: "_").uppercased()
            .map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
    }

    /// Says where an option named in a parser's error message came from, when not the command line.
    func origin(ofOptionIn message: String) -> String? {
        origins.first { CommandOption.message(message, mentions: $0.key) }
            .map { "--\($0.key) came from \($0.value)" }
    }

    /// The root command and the subcommands `arguments` name.
    static func commandPath(of arguments: [String]) -> [any ParsableCommand.Type] {
        var path: [any ParsableCommand.Type] = [SwitchyardCommand.self]
        var rest = arguments[...]
        while let current = path.last {
            let subcommands = current.configuration.subcommands
            if let next = rest.first, let named = subcommands.first(where: { $0._commandName == next }) {
                path.append(named)
                rest = rest.dropFirst()
            } else if path.count > 1, let fallback = current.configuration.defaultSubcommand {
                path.append(fallback)
            } else {
                break
            }
        }
        return path
    }

    private static func configPath(in arguments: [String], reader: ConfigReader) -> String? {
        if let index = arguments.firstIndex(of: "--config"), arguments.indices.contains(index + 1) {
            return arguments[index + 1]
        }
        if let inline = arguments.first(where: { $0.hasPrefix("--config=") }) {
            return String(inline.dropFirst("--config=".count))
        }
        return reader.string(forKey: ConfigKey(["config"]))
    }

    /// The file, read and checked like `config check` does; every problem at once, with its line.
    static func checkedFile(at path: String, commandPath: [String], options: [CommandOption]) throws(Failure) -> ConfigFile {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw Failure(description: "Cannot read the configuration file \(path).")
        }
        let file: ConfigFile
        do {
            file = try ConfigFile(yaml: text)
        } catch {
            throw Failure(description: "\(path):\(error.line): \(error.message)")
        }
        let problems = ConfigCheck(options: options, parse: { parseError(commandPath + $0) }).problems(in: file)
        guard problems.isEmpty else {
            throw Failure(description: problems.map { "\(path):\($0.line): \($0.message)" }.joined(separator: "\n"))
        }
        return file
    }

    /// What ArgumentParser says about `arguments` on one line, or nil when they parse.
    static func parseError(_ arguments: [String]) -> String? {
        do {
            _ = try SwitchyardCommand.parseAsRoot(arguments)
            return nil
        } catch {
            let lines = SwitchyardCommand.message(for: error).split(separator: "\n").map(String.init)
            let choices = lines.dropFirst().filter { $0.hasPrefix("  - ") }.map { $0.dropFirst(4) }
            return ([lines.first ?? ""] + (choices.isEmpty ? [] : [choices.joined(separator: ", ")])).joined(separator: " ")
        }
    }
}
