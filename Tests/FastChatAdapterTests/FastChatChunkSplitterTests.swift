import NIOCore
import Testing

@testable import FastChatAdapter

/// A broken object must not take the good objects read with it: the client would otherwise get
/// the text or not depending on how the network cut the worker's body.
@Suite struct FastChatChunkSplitterTests {
    static let good = #"{"text": "Partial", "error_code": 0}"# + "\0"
    static let broken = #"{"text": "Partial mo"# + "\0"

    @Test func objectsBeforeABrokenOneInTheSameReadAreKept() throws {
        var splitter = FastChatChunkSplitter()
        let chunks = try splitter.feed(ByteBuffer(string: Self.good + Self.broken + Self.good))
        #expect(chunks == [FastChatChunk(text: "Partial")])
        #expect(splitter.failure != nil)
        // Whatever comes next, the stream stays broken.
        #expect(throws: FastChatWorkerFailure.self) { try splitter.feed(ByteBuffer(string: Self.good)) }
        #expect(throws: FastChatWorkerFailure.self) { try splitter.finish() }
    }

    @Test func theSameBodyCutAnywhereGivesTheSameObjects() throws {
        let body = Array((Self.good + Self.broken).utf8)
        for cut in 0...body.count {
            var splitter = FastChatChunkSplitter()
            var chunks: [FastChatChunk] = []
            var failed = false
            for piece in [body[..<cut], body[cut...]] where !failed {
                do {
                    chunks += try splitter.feed(ByteBuffer(bytes: piece))
                } catch {
                    failed = true
                }
            }
            #expect(chunks == [FastChatChunk(text: "Partial")], "cut at \(cut)")
            #expect(failed || splitter.failure != nil, "cut at \(cut)")
        }
    }

    @Test func aBrokenFirstObjectFailsAtOnce() {
        var splitter = FastChatChunkSplitter()
        #expect(throws: FastChatWorkerFailure.self) { try splitter.feed(ByteBuffer(string: Self.broken + Self.good)) }
        #expect(splitter.failure == nil)
    }
}
