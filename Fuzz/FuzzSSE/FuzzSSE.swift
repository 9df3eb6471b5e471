// libFuzzer target: the server-sent events parser and the worker's line reader, fed the same
// bytes whole and cut into chunks (the first input byte chooses the cuts). Built only by
// Scripts/fuzz (SWITCHYARD_FUZZ=1).
//
// Properties: the result does not depend on where the chunks were cut; no line the reader
// returns holds a newline or exceeds its maximum length.
import NIOCore
import FuzzSupport
import SwitchyardCore
@testable import Backends

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSSE(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let seed = data[0]
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let chunks = cut(bytes, seed: seed)

    var whole = ServerSentEventParser()
    let wholeEvents = whole.feed(ByteBuffer(bytes: bytes))
    var pieces = ServerSentEventParser()
    var pieceEvents: [[UInt8]] = []
    for chunk in chunks { pieceEvents += pieces.feed(ByteBuffer(bytes: chunk)) }
    precondition(wholeEvents == pieceEvents, "SSE events depend on the chunk boundaries")

    let maximum = 1 + Int(seed % 64)
    var wholeLines = LineBuffer(maximumLength: maximum)
    var lines = wholeLines.append(bytes)
    if let last = wholeLines.finish() { lines.append(last) }
    var pieceReader = LineBuffer(maximumLength: maximum)
    var pieceLines: [String] = []
    for chunk in chunks { pieceLines += pieceReader.append(chunk) }
    if let last = pieceReader.finish() { pieceLines.append(last) }
    precondition(lines == pieceLines, "lines depend on the chunk boundaries")
    for line in lines {
        precondition(!line.utf8.contains(UInt8(ascii: "\n")), "a line holds a newline")
        precondition(line.utf8.count <= maximum * 3, "a line exceeds the maximum length")
    }
    return 0
}

@_cdecl("FuzzSSE_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv, fuzzSSE)
}
