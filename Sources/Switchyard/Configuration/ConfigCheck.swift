/// What is wrong with a configuration file for one command, each problem on the line it came from.
///
/// Values are judged by the command's own parser (`parse` returns its error message, or nil), so
/// a file accepts exactly what the command line accepts and says so in the same words.
struct ConfigCheck {
    struct Problem: Sendable, Equatable, CustomStringConvertible {
        var line: Int
        var message: String
        var description: String { "line \(line): \(message)" }
    }

    var options: [CommandOption]
    var parse: ([String]) -> String?

    func problems(in file: ConfigFile) -> [Problem] {
        var problems: [Problem] = []
        var accepted: [Accepted] = []
        var seen: Set<String> = []
        for entry in file.entries {
            guard let option = options.first(where: { $0.name == entry.key }) else {
                problems.append(Problem(line: entry.line, message: unknownKeyMessage(entry.key)))
                continue
            }
            guard seen.insert(entry.key).inserted else {
                problems.append(Problem(line: entry.line, message: "\(entry.key) is set twice"))
                continue
            }
            switch Self.arguments(for: entry, option: option) {
            case .failure(let failure):
                problems.append(Problem(line: entry.line, message: "\(entry.key): \(failure.text)"))
            case .success(let arguments):
                accepted.append(Accepted(entry: entry, option: option, arguments: arguments))
            }
        }
        guard parseError(accepted) != nil else { return problems }
        // Each value the parser cannot read, found one at a time…
        let unreadable = accepted.filter { setting in
            guard let message = parseError([setting]) else { return false }
            let isUnreadable = message.hasPrefix("The value '") && setting.option.isMentioned(in: message)
            if isUnreadable { problems.append(Problem(line: setting.entry.line, message: "\(setting.entry.key): \(message)")) }
            return isUnreadable
        }
        // …then the command's own rules, some about several settings (`backend: openai` needs `upstream`).
        let readable = accepted.filter { setting in !unreadable.contains { $0.entry == setting.entry } }
        if let message = parseError(readable), let culprit = readable.first(where: { $0.option.isMentioned(in: message) }) ?? readable.first {
            problems.append(Problem(line: culprit.entry.line, message: message))
        }
        return problems.sorted { $0.line < $1.line }
    }

    private struct Accepted {
        var entry: ConfigFile.Entry
        var option: CommandOption
        var arguments: [String]
    }

    /// What the parser says about these settings, with stand-ins for required options the file
    /// leaves to the command line.
    private func parseError(_ settings: [Accepted]) -> String? {
        let given = settings.map(\.option)
        let placeholders = options.filter { $0.isRequired && !given.contains($0) }.flatMap { $0.arguments(["placeholder"]) }
        return parse(settings.flatMap(\.arguments) + placeholders)
    }

    /// The command-line form of one entry, or why it has none.
    static func arguments(for entry: ConfigFile.Entry, option: CommandOption) -> Result<[String], FailureMessage> {
        switch (entry.value, option.isFlag, option.isRepeating) {
        case (.scalar(let text), true, _):
            guard let on = Self.bool(text) else { return .failure("expected true or false, not '\(text)'") }
            return .success(on ? ["--\(option.name)"] : [])
        case (.scalar(let text), false, _):
            return .success(option.arguments([text]))
        case (.list(let items), false, true):
            return .success(option.arguments(items))
        case (.list, _, _):
            return .failure(option.isFlag ? "expected true or false, not a list" : "takes one value, not a list")
        case (.empty, _, _):
            return .failure("has no value; give one or leave the key out")
        case (.nested, _, _):
            return .failure(option.isRepeating ? "expected a value or a list of values" : "expected a single value")
        }
    }

    /// YAML's and the environment's ways of saying yes and no.
    static func bool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "yes", "on", "1": true
        case "false", "no", "off", "0": false
        default: nil
        }
    }

    private func unknownKeyMessage(_ key: String) -> String {
        let closest = options.map { ($0.name, editDistance($0.name, key)) }.min { $0.1 < $1.1 }
        if let closest, closest.1 <= max(2, key.count / 3) {
            return "unknown key \(key); did you mean \(closest.0)?"
        }
        return "unknown key \(key)"
    }

    struct FailureMessage: Error, Equatable, ExpressibleByStringLiteral, ExpressibleByStringInterpolation {
        var text: String
        init(stringLiteral text: String) { self.text = text }
        init(stringInterpolation: DefaultStringInterpolation) { self.text = String(stringInterpolation: stringInterpolation) }
    }
}

/// Levenshtein distance, for suggesting the key a typo meant.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    var previous = Array(0...b.count)
    for i in 1...max(a.count, 1) where !a.isEmpty {
        var current = [i] + Array(repeating: 0, count: b.count)
        for j in 1...max(b.count, 1) where !b.isEmpty {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[b.count]
}
