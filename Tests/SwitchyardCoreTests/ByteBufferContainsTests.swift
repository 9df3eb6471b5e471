import NIOCore
import SwitchyardCore
import Testing

@Suite struct ByteBufferContainsTests {
    @Test(arguments: [
        (#"{"error":{}}"#, true), (#"{"x":1,"error""#, true), (#"{"errors":1}"#, false), (#""error"#, false), ("", false), (#""error""#, true),
    ])
    func findsTheKeyAnywhere(_ text: String, _ found: Bool) {
        #expect(ByteBuffer(string: text).containsBytes(Array(#""error""#.utf8)) == found)
    }

    @Test func readsOnlyTheReadableBytes() {
        var buffer = ByteBuffer(string: #""error" and more"#)
        buffer.moveReaderIndex(forwardBy: 1)
        #expect(!buffer.containsBytes(Array(#""error""#.utf8)))
        #expect(buffer.containsBytes([]))
    }
}
