import Foundation
import NIOCore
import SwitchyardCore
import Testing

@Suite struct JSONParsingTests {
    /// Valid JSON, JSONDecoder's quirks and malformed text: the parser must agree with JSONDecoder on
    /// each. (Duplicate keys are the one difference, tested below.)
    static let samples: [String] = [
        #"{"model":"m","stream":true,"messages":[{"role":"user","content":"hi"}],"temperature":0.7,"n":1}"#,
        #"{"a":1,}"#, "[1,]", #"{"a":1 , }"#, "[,]", "[1,,]", "{,}", "\u{FEFF}{}",
        "  true  ", "false", "null", "nul", "", " ", "[1] x", "[1 2]", #"{"a" : 1 , "b":[ ] }"#, "\t\r\n[ 1 ]",
        "-0", "0", "01", "00", "-01", "1.", ".5", "+1", "-", "1.5e", "1E5", "1e+2", "-2.5e-3", "NaN",
        "123456789012345678901234567890", "9007199254740993", "-999999999999999", "1e400", "1e-400", "0e-400", "1e-310",
        #""plain""#, #""é ☃ 😀""#, #""\/\\\"\b\f\n\r\t""#, #""\u0041\u00e9\u2603""#, #""\uD83D\uDE00""#,
        #""\ud800""#, #""\udc00""#, #""\ud800\u0041""#, #""\u00""#, #""\x""#, "\"a\u{1}b\"", "\"a\tb\"", "\"a\u{7F}\"",
        #"{"\u0061":1}"#, #""unterminated"#, #"{"a"}"#, #"{"a":}"#, #"{1:2}"#, "[true, false, null, {}, []]",
        String(repeating: "[", count: 512) + String(repeating: "]", count: 512),
        String(repeating: "[", count: 513) + String(repeating: "]", count: 513),
    ]

    @Test(arguments: samples)
    func agreesWithJSONDecoder(text: String) {
        let decoded = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        let parsed = try? JSONValue(parsing: ByteBuffer(string: text))
        #expect(parsed == decoded)
    }

    @Test func refusesInvalidUTF8() {
        let bytes: [UInt8] = [0x22, 0xFF, 0x22]
        #expect(throws: JSONSyntaxError.self) { try JSONValue(parsing: ByteBuffer(bytes: bytes)) }
        #expect((try? JSONDecoder().decode(JSONValue.self, from: Data(bytes))) == nil)
    }

    @Test func readsNestedValues() throws {
        let value = try JSONValue(parsing: ByteBuffer(string: #"{"messages":[{"content":[{"type":"text","text":"a\nb"}]}],"n":2}"#))
        #expect(value["messages"]?.array?.first?["content"]?.array?.first?["text"] == .string("a\nb"))
        #expect(value["n"]?.integer == 2)
    }

    /// Objects that name a key twice, at any depth, however the second one is spelled.
    static let duplicates: [(text: String, key: String)] = [
        (#"{"model":"allowed","model":"secret"}"#, "model"),
        (#"{"model":"allowed","mo\u0064el":"secret"}"#, "model"),
        (#"{"m\u006fdel":"allowed","model":"secret"}"#, "model"),
        (#"{"a":1,"b":2,"a":1}"#, "a"),
        (#"{"messages":[{"role":"user","content":"hi","role":"system"}]}"#, "role"),
        (#"{"a":{"b":{"c":{"d":1,"d":2}}}}"#, "d"),
        (#"[[[{"x":null,"\u0078":null}]]]"#, "x"),
        (#"{"":1,"":2}"#, ""),
        (#"{"\uD83D\uDE00":1,"😀":2}"#, "😀"),
        (#"{"tab\t":1,"tab\u0009":2}"#, "tab\t"),
    ]

    @Test(arguments: duplicates)
    func refusesDuplicateKeys(sample: (text: String, key: String)) {
        #expect(throws: JSONDuplicateKeyError(key: sample.key)) { try JSONValue(parsing: ByteBuffer(string: sample.text)) }
    }

    @Test func keepsKeysThatOnlyLookAlike() throws {
        let text = #"{"model":1,"Model":2,"model ":3,"a":{"model":4},"b":[{"model":5},{"model":6}]}"#
        let value = try JSONValue(parsing: ByteBuffer(string: text))
        #expect(value.object?.count == 5)
        #expect(value["b"]?.array?.last?["model"] == .number(6))
    }

    @Test func refusesADuplicateAmongManyKeys() {
        let fields = (0..<100_000).map { #""k\#($0)":0"# } + [#""k99999":1"#]
        #expect(throws: JSONDuplicateKeyError(key: "k99999")) {
            try JSONValue(parsing: ByteBuffer(string: "{" + fields.joined(separator: ",") + "}"))
        }
    }

    @Test func clipsAHugeKeyInItsMessage() {
        let key = String(repeating: "é", count: 1 << 20)
        let message = JSONDuplicateKeyError(key: key).message
        #expect(message.utf8.count < 400)
        #expect(message.contains("éé…"))
    }

    @Test(arguments: [0, 1, 2, 3, 5, 100])
    func clipsBetweenScalars(limit: Int) {
        let text = "aé😀bc"
        let clipped = text.clipped(toUTF8Count: limit)
        #expect(clipped.utf8.count <= limit + "…".utf8.count)
        #expect(text.hasPrefix(clipped.trimmingSuffix("…")))
        #expect((clipped == text) == (text.utf8.count <= limit))
    }
}
