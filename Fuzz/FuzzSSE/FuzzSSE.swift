// libFuzzer target: the server-sent events parser and the worker's line reader, fed the same
// bytes whole and cut into chunks (the first input byte chooses the cuts). Built only by
// Scripts/fuzz (SWITCHYARD_FUZZ=1).
//
// Properties: the result does not depend on where the chunks were cut; no line the reader
// returns holds a newline or exceeds its maximum length.
import NIOCore
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

/// Cuts `bytes` into chunks whose lengths follow from `seed` (a small generator, so every cut
/// pattern is reachable and reproducible from the input alone).
func cut(_ bytes: [UInt8], seed: UInt8) -> [[UInt8]] {
    var state = UInt32(seed) &* 2_654_435_761 | 1
    var chunks: [[UInt8]] = []
    var start = 0
    while start < bytes.count {
        state ^= state << 13
        state ^= state >> 17
        state ^= state << 5
        let length = 1 + Int(state % 9)
        let end = min(bytes.count, start + length)
        chunks.append(Array(bytes[start..<end]))
        start = end
    }
    return chunks
}

// SwiftPM links an executable target with `main` renamed to `FuzzSSE_main`; with -parse-as-library
// there is no Swift main, so this one hands the command line to libFuzzer's driver.
@_silgen_name("LLVMFuzzerRunDriver")
private func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

@_cdecl("FuzzSSE_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    var count = argc
    var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return runFuzzerDriver(&count, &arguments, fuzzSSE)
}
