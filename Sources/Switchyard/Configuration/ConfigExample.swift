import ArgumentParser

/// A YAML file documenting every option of a command with its help text and default, all
/// commented out: the files in `Config/` are this, so they cannot fall behind the options.
struct ConfigExample {
    var command: any ParsableCommand.Type

    var yaml: String {
        let name = command._commandName
        var text = """
            # switchyard \(name): `switchyard \(name) --config \(name).yaml` (or SWITCHYARD_CONFIG=\(name).yaml).
            # Keys are the command's long options. The command line wins over the environment
            # (SWITCHYARD_\(name.uppercased())_<KEY>, then SWITCHYARD_<KEY>, in upper snake case), which wins
            # over this file, which wins over the defaults shown. Lists take [a, b] or one `- item` per line.
            # Check a file with `switchyard config check FILE`; this one is `switchyard config example \(name)`.

            """
        for option in CommandOption.options(of: command) where !option.isConfigFile {
            text += "\n"
            text += Self.wrapped(option.help + (option.isRequired ? " Required." : "")).map { "# \($0)\n" }.joined()
            text += "# \(option.name):\(Self.exampleValue(of: option))\n"
        }
        return text
    }

    private static func exampleValue(of option: CommandOption) -> String {
        if option.isFlag { return " false" }
        if option.isRepeating { return " []" }
        guard let value = option.defaultValue else { return "" }
        let plain = value.allSatisfy { $0.isLetter || $0.isNumber || "._-/:".contains($0) } && !value.isEmpty
        return " " + (plain ? value : "\"\(value)\"")
    }

    /// Help text in lines of at most 96 characters.
    private static func wrapped(_ text: String) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty && line.count + 1 + word.count > 96 {
                lines.append(line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }
}
