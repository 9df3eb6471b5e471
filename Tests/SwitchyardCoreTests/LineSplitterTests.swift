import NIOCore
import SwitchyardCore
import Testing

@Suite struct LineSplitterTests {
    func lines(_ pieces: [String], limit: Int = 64) throws -> [String] {
        var splitter = LineSplitter(maximumLength: limit)
        return try pieces.flatMap { try splitter.append(ByteBuffer(string: $0)) }.map { String(buffer: $0) }
    }

    @Test func linesEndAtNewlinesWhereverTheChunksAreCut() throws {
        let text = "{\"a\":1}\n{\"b\":2}\r\n\n{\"c\":3}\n"
        let whole = try lines([text])
        #expect(whole == [#"{"a":1}"#, #"{"b":2}"#, #"{"c":3}"#])
        for cut in text.indices {
            #expect(try lines([String(text[..<cut]), String(text[cut...])]) == whole)
        }
        #expect(try lines(text.map { String($0) }) == whole)
    }

    @Test func aPartialLineWaitsForItsEnd() throws {
        var splitter = LineSplitter(maximumLength: 64)
        #expect(try splitter.append(ByteBuffer(string: "{\"a\":")).isEmpty)
        #expect(splitter.hasPartialLine)
        #expect(try splitter.append(ByteBuffer(string: "1}\n")).map { String(buffer: $0) } == [#"{"a":1}"#])
        #expect(!splitter.hasPartialLine)
    }

    @Test func aLineOverTheLimitIsAnErrorEvenBeforeItEnds() throws {
        #expect(try lines([String(repeating: "x", count: 8) + "\n"], limit: 8) == ["xxxxxxxx"])
        #expect(throws: LineSplitter.LineTooLong(limit: 8)) { try lines([String(repeating: "x", count: 9) + "\n"], limit: 8) }
        // A peer that never sends a newline is cut off once it passes the limit.
        var splitter = LineSplitter(maximumLength: 8)
        #expect(throws: LineSplitter.LineTooLong(limit: 8)) {
            for _ in 0..<100 { _ = try splitter.append(ByteBuffer(string: "xxx")) }
        }
    }
}
