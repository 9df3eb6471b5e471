// libFuzzer target: the one-pass JSON parser and every validation entry point that reads a
// client's or a worker's body with it. Built only by Scripts/fuzz (SWITCHYARD_FUZZ=1).
//
// Besides "no trap, no overflow", it checks one property: whatever the parser accepts, written
// back out as JSON and parsed again, gives the same value (strings, escapes and numbers survive).
import NIOCore
import FuzzSupport
import SwitchyardCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let buffer = ByteBuffer(bytes: UnsafeBufferPointer(start: data, count: size))
    if let value = try? JSONValue(parsing: buffer) {
        var text = ""
        write(value, into: &text)
        let again: JSONValue
        do {
            again = try JSONValue(parsing: ByteBuffer(string: text))
        } catch {
            fatalError("accepted input written back out does not parse: \(error) in \(text.prefix(200))")
        }
        precondition(again == value, "round trip changed the value: \(text.prefix(200))")
    }
    for endpoint in Endpoint.allCases {
        _ = try? RequestValidator.validate(buffer, for: endpoint)
    }
    _ = try? FastChat.HeartBeat(parsing: buffer)
    return 0
}

private func write(_ value: JSONValue, into text: inout String) {
    switch value {
    case .null: text += "null"
    case .bool(let flag): text += flag ? "true" : "false"
    case .number(let number):
        precondition(number.isFinite, "the parser produced a non-finite number")
        text += "\(number)"
    case .string(let string): write(string, into: &text)
    case .array(let items):
        text += "["
        for (position, item) in items.enumerated() {
            if position > 0 { text += "," }
            write(item, into: &text)
        }
        text += "]"
    case .object(let fields):
        text += "{"
        for (position, (key, item)) in fields.enumerated() {
            if position > 0 { text += "," }
            write(key, into: &text)
            text += ":"
            write(item, into: &text)
        }
        text += "}"
    }
}

private func write(_ string: String, into text: inout String) {
    text += "\""
    for scalar in string.unicodeScalars {
        switch scalar {
        case "\"": text += "\\\""
        case "\\": text += "\\\\"
        case "\n": text += "\\n"
        case "\r": text += "\\r"
        case "\t": text += "\\t"
        case _ where scalar.value < 0x20:
            let hex = String(scalar.value, radix: 16)
            text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: text.unicodeScalars.append(scalar)
        }
    }
    text += "\""
}

@_cdecl("FuzzJSON_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv, fuzzJSON)
}
