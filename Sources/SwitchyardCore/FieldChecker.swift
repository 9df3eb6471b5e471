/// Checks the fields of one JSON object, naming failures by their path (`messages[1].content`)
/// with OpenAI's messages and codes. `null` counts as "not given", as OpenAI treats it.
struct FieldChecker {
    let fields: [String: JSONValue]
    /// Where this object sits in the request; empty for the top level.
    let path: String

    init(fields: [String: JSONValue], path: String = "") {
        self.fields = fields
        self.path = path
    }

    func name(_ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    func value(_ key: String) -> JSONValue? {
        guard let value = fields[key], value != .null else { return nil }
        return value
    }

    @discardableResult
    func string(_ key: String) throws -> String? {
        guard let value = value(key) else { return nil }
        guard let text = value.string else { throw Self.invalidType(name(key), expected: "a string", got: value) }
        return text
    }

    @discardableResult
    func requiredString(_ key: String) throws -> String {
        guard let text = try string(key) else { throw Self.missing(name(key)) }
        return text
    }

    @discardableResult
    func bool(_ key: String) throws -> Bool? {
        guard let value = value(key) else { return nil }
        guard let flag = value.bool else { throw Self.invalidType(name(key), expected: "a boolean", got: value) }
        return flag
    }

    func number(_ key: String, min: Double, max: Double) throws {
        guard let value = value(key) else { return }
        guard let number = value.number else { throw Self.invalidType(name(key), expected: "a decimal", got: value) }
        if number < min { throw Self.outOfRange(name(key), kind: "decimal", below: true, limit: min, got: number) }
        if number > max { throw Self.outOfRange(name(key), kind: "decimal", below: false, limit: max, got: number) }
    }

    @discardableResult
    func integer(_ key: String, min: Int? = nil, max: Int? = nil) throws -> Int? {
        guard let value = value(key) else { return nil }
        guard let integer = value.integer else { throw Self.invalidType(name(key), expected: "an integer", got: value) }
        if let min, integer < min { throw Self.outOfRange(name(key), kind: "integer", below: true, limit: Double(min), got: Double(integer)) }
        if let max, integer > max { throw Self.outOfRange(name(key), kind: "integer", below: false, limit: Double(max), got: Double(integer)) }
        return integer
    }

    @discardableResult
    func oneOf(_ key: String, _ allowed: [String], required: Bool = false) throws -> String? {
        guard let text = try required ? requiredString(key) : string(key) else { return nil }
        guard allowed.contains(text) else {
            let listed = allowed.map { "'\($0)'" }
            let supported = listed.count > 1 ? listed.dropLast().joined(separator: ", ") + ", and " + listed.last! : listed.joined()
            throw OpenAIError.badRequest("Invalid value: '\(text)'. Supported values are: \(supported).", param: name(key), code: "invalid_value")
        }
        return text
    }

    func object(_ key: String, required: Bool = false, _ body: (FieldChecker) throws -> Void) throws {
        guard let value = value(key) else {
            if required { throw Self.missing(name(key)) }
            return
        }
        guard let fields = value.object else { throw Self.invalidType(name(key), expected: "an object", got: value) }
        let nested = FieldChecker(fields: fields, path: name(key))
        try body(nested)
    }

    /// An array of objects, each checked by `body`.
    func array(_ key: String, _ body: (FieldChecker) throws -> Void) throws {
        guard let value = value(key) else { return }
        guard let items = value.array else { throw Self.invalidType(name(key), expected: "an array", got: value) }
        for (index, item) in items.enumerated() {
            let itemPath = "\(name(key))[\(index)]"
            guard let fields = item.object else { throw Self.invalidType(itemPath, expected: "an object", got: item) }
            let nested = FieldChecker(fields: fields, path: itemPath)
            try body(nested)
        }
    }

    /// `stop`: a string or up to four strings.
    func stop() throws {
        guard let value = value("stop") else { return }
        switch value {
        case .string:
            return
        case .array(let items) where items.allSatisfy { $0.string != nil }:
            guard items.count <= 4 else {
                throw OpenAIError.badRequest(
                    "Invalid 'stop': array too long. Expected an array with maximum length 4, but got an array with length \(items.count) instead.",
                    param: name("stop"), code: "array_above_max_length"
                )
            }
        default:
            throw Self.invalidType(name("stop"), expected: "one of a string or array of strings", got: value)
        }
    }

    /// A message's `content`: a string or a list of typed parts; returns its text.
    func content(required: Bool) throws -> String? {
        guard let value = value("content") else {
            if required { throw Self.missing(name("content")) }
            return nil
        }
        switch value {
        case .string(let text):
            return text
        case .array(let parts):
            var texts: [String] = []
            for (index, part) in parts.enumerated() {
                let partPath = "\(name("content"))[\(index)]"
                guard let fields = part.object else { throw Self.invalidType(partPath, expected: "an object", got: part) }
                let partChecker = FieldChecker(fields: fields, path: partPath)
                let type = try partChecker.requiredString("type")
                if type == "text" { texts.append(try partChecker.requiredString("text")) }
            }
            return texts.joined(separator: "\n")
        default:
            throw Self.invalidType(name("content"), expected: "one of a string or array of objects", got: value)
        }
    }

    /// A completions `prompt` or embeddings `input`: a string, strings, token ids or lists of token
    /// ids. Returns how many prompts it holds and their text (nil for token ids).
    func prompts(_ key: String) throws -> (count: Int, text: String?)? {
        guard let value = value(key) else { return nil }
        switch value {
        case .string(let text):
            return (1, text)
        case .array(let items) where items.allSatisfy { $0.string != nil }:
            return (items.count, items.compactMap(\.string).joined(separator: "\n"))
        case .array(let items) where items.allSatisfy { $0.integer != nil }:
            return (1, nil)
        case .array(let items) where items.allSatisfy({ $0.array?.allSatisfy { $0.integer != nil } == true }):
            return (items.count, nil)
        default:
            throw Self.invalidType(
                name(key), expected: "one of a string, array of strings, array of integers or array of arrays of integers", got: value)
        }
    }

    /// The embeddings `input`: like a prompt, but required, at most 2048 of them, and none empty.
    func embeddingInput() throws {
        guard let value = value("input") else { throw Self.missing(name("input")) }
        let invalid = { (reason: String) in
            OpenAIError.badRequest("'$.input' is invalid\(reason). Please check the API reference: https://platform.openai.com/docs/api-reference.", param: "input", code: "invalid_value")
        }
        guard let (count, _) = try prompts("input") else { throw Self.missing(name("input")) }
        guard count > 0, count <= 2048 else { throw invalid(count == 0 ? ": it holds no text" : ": more than 2048 inputs") }
        if case .array(let items) = value, items.isEmpty || items.contains(where: { $0.string?.isEmpty == true || $0.array?.isEmpty == true }) {
            throw invalid(": empty inputs cannot be embedded")
        }
        if value.string?.isEmpty == true { throw invalid(": empty strings cannot be embedded") }
    }

    static func missing(_ param: String) -> OpenAIError {
        OpenAIError.badRequest("Missing required parameter: '\(param)'.", param: param, code: "missing_required_parameter")
    }

    static func invalidType(_ param: String, expected: String, got value: JSONValue) -> OpenAIError {
        OpenAIError.badRequest(
            "Invalid type for '\(param)': expected \(expected), but got \(value.typeDescription) instead.",
            param: param, code: "invalid_type"
        )
    }

    static func outOfRange(_ param: String, kind: String, below: Bool, limit: Double, got: Double) -> OpenAIError {
        func show(_ number: Double) -> String {
            number.rounded() == number && abs(number) < 1e15 ? String(Int(number)) : String(number)
        }
        let side = below ? "below minimum" : "above maximum"
        let relation = below ? ">=" : "<="
        return OpenAIError.badRequest(
            "Invalid '\(param)': \(kind) \(side) value. Expected a value \(relation) \(show(limit)), but got \(show(got)) instead.",
            param: param, code: "\(kind)_\(below ? "below_min" : "above_max")_value"
        )
    }
}
