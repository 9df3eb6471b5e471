/// Any JSON value, for fields whose type Switchyard checks itself so that a wrong type gets
/// OpenAI's "Invalid type for 'x': expected …, but got … instead." rather than a decoder trace.
public enum JSONValue: Decodable, Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        // Each failed attempt throws, and throwing is what costs: try the commonest kinds in a
        // request body first (strings, then objects), so most values decode at the first try.
        if container.decodeNil() {
            self = .null
        } else if let text = try? container.decode(String.self) {
            self = .string(text)
        } else if let fields = try? container.decode([String: JSONValue].self) {
            self = .object(fields)
        } else if let items = try? container.decode([JSONValue].self) {
            self = .array(items)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else {
            self = .bool(try container.decode(Bool.self))
        }
    }

    /// How OpenAI names the type in its messages: "a string", "an integer", "an object".
    public var typeDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number(let number): number.rounded() == number ? "an integer" : "a decimal"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    public var string: String? {
        if case .string(let text) = self { text } else { nil }
    }

    public var bool: Bool? {
        if case .bool(let flag) = self { flag } else { nil }
    }

    public var number: Double? {
        if case .number(let number) = self { number } else { nil }
    }

    /// The value as an integer, when it is a whole number in range.
    public var integer: Int? {
        guard case .number(let number) = self, number.rounded() == number, abs(number) < 1e15 else { return nil }
        return Int(number)
    }

    public var array: [JSONValue]? {
        if case .array(let items) = self { items } else { nil }
    }

    public var object: [String: JSONValue]? {
        if case .object(let fields) = self { fields } else { nil }
    }

    public subscript(key: String) -> JSONValue? {
        object?[key]
    }
}
