import ArgumentParser
import Foundation

/// One option of a command as ArgumentParser describes it. The keys of a configuration file and
/// the environment are exactly these, so a new `@Option` is configurable without another list.
struct CommandOption: Sendable, Equatable {
    /// The long name without its dashes: the file's key, and `SWITCHYARD_…` in upper snake case.
    var name: String
    var isFlag: Bool
    var isRepeating: Bool
    /// Given neither a default nor `Optional`: the command cannot run without it.
    var isRequired: Bool
    var help: String
    var defaultValue: String?

    /// `--config FILE`, the one option a file cannot set.
    var isConfigFile: Bool { name == "config" }

    /// The options of `command`, in the order of its `--help`.
    static func options(of command: any ParsableCommand.Type) -> [CommandOption] {
        guard let description = try? JSONDecoder().decode(HelpDump.self, from: Data(command._dumpHelp().utf8)) else { return [] }
        return (description.command.arguments ?? []).compactMap { argument in
            guard argument.kind != "positional",
                let name = argument.names?.first(where: { $0.kind == "long" })?.name,
                name != "help"
            else { return nil }
            return CommandOption(
                name: name,
                isFlag: argument.kind == "flag",
                isRepeating: argument.isRepeating,
                isRequired: !argument.isOptional && argument.kind == "option",
                help: argument.abstract ?? "",
                defaultValue: argument.defaultValue
            )
        }
    }

    /// The command-line arguments that give this option `values`; `--name=value` keeps values
    /// that start with a dash (`-1`) from being read as options.
    func arguments(_ values: [String]) -> [String] {
        values.map { "--\(name)=\($0)" }
    }

    /// Whether an ArgumentParser message is about this option.
    func isMentioned(in message: String) -> Bool {
        Self.message(message, mentions: name)
    }

    static func message(_ message: String, mentions name: String) -> Bool {
        var rest = message[...]
        while let found = rest.range(of: "--\(name)") {
            let next = rest[found.upperBound...].first
            if next.map({ !($0.isLetter || $0.isNumber || $0 == "-") }) ?? true { return true }
            rest = rest[found.upperBound...]
        }
        return false
    }

    /// Whether `arguments` (a command line) already set this option.
    func isGiven(in arguments: [String]) -> Bool {
        arguments.contains { $0 == "--\(name)" || $0.hasPrefix("--\(name)=") }
    }
}

/// The part of ArgumentParser's `--experimental-dump-help` JSON that names the options.
private struct HelpDump: Decodable {
    struct Command: Decodable {
        var arguments: [Argument]?
    }

    struct Argument: Decodable {
        var kind: String
        var names: [Name]?
        var isOptional: Bool
        var isRepeating: Bool
        var abstract: String?
        var defaultValue: String?
    }

    struct Name: Decodable {
        var kind: String
        var name: String
    }

    var command: Command
}
