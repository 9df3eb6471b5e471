import Yams

/// A YAML configuration file as `key: value` lines with their line numbers, which
/// swift-configuration's provider does not keep: `config check` and start-up errors point at lines.
struct ConfigFile: Sendable, Equatable {
    struct Entry: Sendable, Equatable {
        var key: String
        var value: Value
        var line: Int
    }

    enum Value: Sendable, Equatable {
        case scalar(String)
        case list([String])
        /// `key:` with nothing after it, or `null`.
        case empty
        /// A mapping, or a list holding more than plain values.
        case nested
    }

    struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
        var line: Int
        var message: String
        var description: String { "line \(line): \(message)" }
    }

    var entries: [Entry]

    init(yaml text: String) throws(SyntaxError) {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw Self.syntaxError(error)
        } catch {
            throw SyntaxError(line: 1, message: "\(error)")
        }
        guard let root else {
            self.entries = []
            return
        }
        guard let mapping = root.mapping else {
            throw SyntaxError(line: root.mark?.line ?? 1, message: "expected `key: value` lines at the top level")
        }
        var entries: [Entry] = []
        for (key, value) in mapping {
            guard let name = key.scalar?.string else {
                throw SyntaxError(line: key.mark?.line ?? 1, message: "a key must be a plain name")
            }
            entries.append(Entry(key: name, value: Self.value(of: value), line: key.mark?.line ?? 1))
        }
        self.entries = entries
    }

    private static func value(of node: Node) -> Value {
        switch node {
        case .scalar(let scalar):
            return node.null != nil ? .empty : .scalar(scalar.string)
        case .sequence(let sequence):
            let items = sequence.compactMap(\.scalar?.string)
            return items.count == sequence.count ? .list(items) : .nested
        case .mapping, .alias:
            return .nested
        }
    }

    private static func syntaxError(_ error: YamlError) -> SyntaxError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return SyntaxError(line: mark.line, message: problem)
        case .duplicatedKeysInMapping(let duplicates, let context):
            return SyntaxError(line: context.mark.line, message: "the key \(duplicates.joined(separator: ", ")) appears twice")
        default:
            return SyntaxError(line: 1, message: "\(error)")
        }
    }
}
