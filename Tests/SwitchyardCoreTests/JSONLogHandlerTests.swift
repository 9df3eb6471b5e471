import Foundation
import Logging
import Testing

@testable import SwitchyardCore

@Suite struct JSONLogHandlerTests {
    @Test func oneParseableObjectPerLineWithTypedNumbers() throws {
        let line = JSONLogHandler.line(
            time: Date(timeIntervalSince1970: 0), level: .info, label: "switchyard.gateway", message: "request \"quoted\"\nnext",
            metadata: ["status": .stringConvertible(200), "latency_ms": .stringConvertible(1.25), "model": "m", "tags": ["a", "b"]]
        )
        #expect(!line.contains(UInt8(ascii: "\n")))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
        #expect(object["ts"] as? String == "1970-01-01T00:00:00.000Z")
        #expect(object["level"] as? String == "info")
        #expect(object["logger"] as? String == "switchyard.gateway")
        #expect(object["msg"] as? String == "request \"quoted\"\nnext")
        #expect(object["status"] as? Int == 200)
        #expect(object["latency_ms"] as? Double == 1.25)
        #expect(object["model"] as? String == "m")
        #expect(object["tags"] as? [String] == ["a", "b"])
    }

    @Test func metadataCannotOverwriteTheFixedFields() throws {
        let line = JSONLogHandler.line(time: Date(), level: .error, label: "l", message: "m", metadata: ["msg": "sneaky", "level": "x"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
        #expect(object["msg"] as? String == "m")
        #expect(object["level"] as? String == "error")
    }
}
