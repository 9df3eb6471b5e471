import Foundation
import SwitchyardCore

/// A tool call the simulator makes: arguments follow the function's JSON schema, strings filled
/// from the prompt, so clients get a parseable call with every required property.
struct SimulatedToolCall: Sendable, Equatable {
    var id: String
    var name: String
    var arguments: String

    init(function: SimulatorRequest.Tool.Function, words: [String], id: String) {
        self.id = id
        self.name = function.name
        let properties = function.parameters?["properties"]?.object ?? [:]
        var values: [String: Any] = [:]
        for (key, schema) in properties {
            switch schema["type"]?.string {
            case "integer", "number": values[key] = 1
            case "boolean": values[key] = true
            case "array": values[key] = [String]()
            case "object": values[key] = [String: String]()
            default:
                let enumeration = schema["enum"]?.array?.compactMap(\.string) ?? []
                values[key] = enumeration.first ?? (words.isEmpty ? "Hello" : words.joined(separator: " "))
            }
        }
        let data = (try? JSONSerialization.data(withJSONObject: values, options: [.sortedKeys])) ?? Data("{}".utf8)
        arguments = String(decoding: data, as: UTF8.self)
    }

    /// The call in streamed fragments: id, type and name once, then the arguments in pieces,
    /// each fragment carrying `index`, as the OpenAI stream rules require.
    func fragments(index: Int, pieces: Int = 3) -> [ToolCall] {
        let characters = Array(arguments)
        let size = max(1, (characters.count + pieces - 1) / pieces)
        var fragments = [ToolCall(index: index, id: id, type: "function", function: .init(name: name, arguments: ""))]
        for start in stride(from: 0, to: characters.count, by: size) {
            let piece = String(characters[start..<min(start + size, characters.count)])
            fragments.append(ToolCall(index: index, function: .init(arguments: piece)))
        }
        return fragments
    }

    var whole: ToolCall {
        ToolCall(id: id, type: "function", function: .init(name: name, arguments: arguments))
    }
}
