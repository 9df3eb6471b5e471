import NIOCore

/// JSON text that ``JSONValue/init(parsing:)`` refused; `offset` is the byte where it stopped.
public struct JSONSyntaxError: Error, Sendable, Equatable {
    public let offset: Int
}

/// An object that names one key twice. Refused because readers disagree on which one counts
/// (`JSONDecoder` keeps the first, Python and Go the last), so a body could pass the gateway's
/// checks with one value and reach the model server with another.
public struct JSONDuplicateKeyError: Error, Sendable, Equatable {
    /// The key, decoded: `"mo\u0064el"` and `"model"` are one key.
    public let key: String

    public init(key: String) {
        self.key = key
    }

    /// The client's message, naming the key (clipped: a key can be megabytes long).
    public var message: String {
        "Duplicate key '\(key.clipped(toUTF8Count: 256))' in the JSON body: a key may appear only once in each object."
    }
}

extension JSONValue {
    /// Parses JSON text in one pass over its bytes, several times cheaper than `JSONDecoder`,
    /// which the gateway paid on every request.
    ///
    /// It accepts what `JSONDecoder` accepts, quirks included, so no request changes fate: a
    /// leading byte-order mark, a trailing comma before `]` or `}`, at most 512 levels of nesting,
    /// and numbers beyond `Double`'s range are refused. The one difference: an object with a
    /// duplicate key, at any depth, throws ``JSONDuplicateKeyError`` where `JSONDecoder` keeps the first.
    public init(parsing buffer: ByteBuffer) throws {
        self = try buffer.withUnsafeReadableBytes { bytes in
            var parser = JSONParser(bytes: bytes)
            return try parser.document()
        }
    }
}

private struct JSONParser {
    static let maxDepth = 512

    let bytes: UnsafeRawBufferPointer
    var index = 0
    var depth = 0

    init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    var failure: JSONSyntaxError { JSONSyntaxError(offset: index) }

    mutating func document() throws -> JSONValue {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        let value = try value()
        skipWhitespace()
        guard index == bytes.count else { throw failure }
        return value
    }

    mutating func value() throws -> JSONValue {
        skipWhitespace()
        guard index < bytes.count else { throw failure }
        switch bytes[index] {
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        default: return .number(try number())
        }
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): index += 1
            default: return
            }
        }
    }

    /// Consumes `byte` if it comes next.
    mutating func take(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    mutating func literal(_ word: StaticString) throws {
        let end = index + word.utf8CodeUnitCount
        guard end <= bytes.count, UnsafeRawBufferPointer(rebasing: bytes[index..<end]).elementsEqual(UnsafeRawBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)) else {
            throw failure
        }
        index = end
    }

    mutating func nest() throws {
        depth += 1
        guard depth <= Self.maxDepth else { throw failure }
        index += 1
    }

    mutating func object() throws -> JSONValue {
        try nest()
        defer { depth -= 1 }
        var fields: [(String, JSONValue)] = []
        skipWhitespace()
        if !take(UInt8(ascii: "}")) {
            repeat {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw failure }
                let key = try string()
                skipWhitespace()
                guard take(UInt8(ascii: ":")) else { throw failure }
                fields.append((key, try value()))
                skipWhitespace()
                if take(UInt8(ascii: ",")) {
                    skipWhitespace()
                    if take(UInt8(ascii: "}")) { break }
                    continue
                }
                guard take(UInt8(ascii: "}")) else { throw failure }
                break
            } while true
        }
        // Keys are compared only within their object, by the dictionary built anyway: a repeated
        // key shows as a dictionary smaller than the list, and only then is it looked for.
        let object = Dictionary(fields) { first, _ in first }
        guard object.count == fields.count else {
            var seen = Set<String>()
            throw JSONDuplicateKeyError(key: fields.first { !seen.insert($0.0).inserted }?.0 ?? "")
        }
        return .object(object)
    }

    mutating func array() throws -> JSONValue {
        try nest()
        defer { depth -= 1 }
        var items: [JSONValue] = []
        skipWhitespace()
        if !take(UInt8(ascii: "]")) {
            repeat {
                items.append(try value())
                skipWhitespace()
                if take(UInt8(ascii: ",")) {
                    skipWhitespace()
                    if take(UInt8(ascii: "]")) { break }
                    continue
                }
                guard take(UInt8(ascii: "]")) else { throw failure }
                break
            } while true
        }
        return .array(items)
    }

    /// A string from its opening quote; escapes are rare in requests, so plain text takes one scan.
    mutating func string() throws -> String {
        index += 1
        let start = index
        var ascii = true
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                let text = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
                index += 1
                if ascii { return String(decoding: text, as: UTF8.self) }
                guard let valid = String(validating: text, as: UTF8.self) else { throw JSONSyntaxError(offset: start) }
                return valid
            case UInt8(ascii: "\\"):
                return try escapedString(from: start)
            case ..<0x20:
                throw failure
            default:
                ascii = ascii && byte < 0x80
                index += 1
            }
        }
        throw failure
    }

    /// The rest of a string with escapes, decoded into UTF-8 bytes from `start`.
    mutating func escapedString(from start: Int) throws -> String {
        var text = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let valid = String(validating: text, as: UTF8.self) else { throw JSONSyntaxError(offset: start) }
                return valid
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { throw failure }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): text.append(escape)
                case UInt8(ascii: "b"): text.append(0x08)
                case UInt8(ascii: "f"): text.append(0x0C)
                case UInt8(ascii: "n"): text.append(0x0A)
                case UInt8(ascii: "r"): text.append(0x0D)
                case UInt8(ascii: "t"): text.append(0x09)
                case UInt8(ascii: "u"): text.append(contentsOf: UTF8.encode(try unicodeEscape())!)
                default: throw failure
                }
            case ..<0x20:
                throw failure
            default:
                text.append(byte)
            }
        }
        throw failure
    }

    /// The scalar of a `\uXXXX` escape (after its `\u`), joining a surrogate pair; a lone surrogate is refused.
    mutating func unicodeEscape() throws -> Unicode.Scalar {
        let unit = try hexQuad()
        switch unit {
        case 0xD800...0xDBFF:
            guard take(UInt8(ascii: "\\")), take(UInt8(ascii: "u")) else { throw failure }
            let low = try hexQuad()
            guard (0xDC00...0xDFFF).contains(low) else { throw failure }
            return Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))!
        case 0xDC00...0xDFFF:
            throw failure
        default:
            return Unicode.Scalar(unit)!
        }
    }

    mutating func hexQuad() throws -> UInt32 {
        guard index + 4 <= bytes.count else { throw failure }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw failure
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    func isDigit(at position: Int) -> Bool {
        position < bytes.count && (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position])
    }

    mutating func skipDigits() throws {
        guard isDigit(at: index) else { throw failure }
        while isDigit(at: index) { index += 1 }
    }

    /// A number in JSON's grammar; small integers are summed directly, the rest go through `Double(_:)`.
    mutating func number() throws -> Double {
        let start = index
        let negative = take(UInt8(ascii: "-"))
        if !take(UInt8(ascii: "0")) { try skipDigits() }
        var whole = true
        if take(UInt8(ascii: ".")) {
            try skipDigits()
            whole = false
        }
        if take(UInt8(ascii: "e")) || take(UInt8(ascii: "E")) {
            if !take(UInt8(ascii: "+")) { _ = take(UInt8(ascii: "-")) }
            try skipDigits()
            whole = false
        }
        let text = UnsafeRawBufferPointer(rebasing: bytes[start..<index])
        if whole && text.count <= 16 {
            let magnitude = text.dropFirst(negative ? 1 : 0).reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
            return negative ? -Double(magnitude) : Double(magnitude)
        }
        // Out of range either way: too big, or too small to be told from zero.
        guard let number = Double(String(decoding: text, as: UTF8.self)), number.isFinite,
            number != 0 || !text.prefix(while: { $0 != UInt8(ascii: "e") && $0 != UInt8(ascii: "E") }).contains(where: { (UInt8(ascii: "1")...UInt8(ascii: "9")).contains($0) })
        else { throw JSONSyntaxError(offset: start) }
        return number
    }
}
