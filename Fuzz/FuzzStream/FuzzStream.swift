// libFuzzer target: the worker's stream normaliser (an upstream's SSE bytes in, OpenAI's framing
// out), fed the same bytes whole and cut into chunks (the first input byte chooses the cuts).
// Built only by Scripts/fuzz (SWITCHYARD_FUZZ=1).
//
// Properties: the output does not depend on where the chunks were cut; every output line is an
// event's `data: …`, a `:` comment or the blank line ending an event (nothing an upstream sends
// can inject other SSE fields); nothing follows `data: [DONE]`, which appears at most once.
import NIOCore
import FuzzSupport
import SwitchyardCore
@testable import Backends

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzStream(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let seed = data[0]
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))

    var whole = StreamNormalizer()
    var wholeOutput = whole.feed(ByteBuffer(bytes: bytes))
    var tail = whole.finish()
    wholeOutput.writeBuffer(&tail)

    var pieces = StreamNormalizer()
    var pieceOutput = ByteBuffer()
    for chunk in cut(bytes, seed: seed) {
        var out = pieces.feed(ByteBuffer(bytes: chunk))
        pieceOutput.writeBuffer(&out)
    }
    var pieceTail = pieces.finish()
    pieceOutput.writeBuffer(&pieceTail)
    precondition(wholeOutput == pieceOutput, "normalised output depends on the chunk boundaries")
    precondition(whole.isFinished == pieces.isFinished && whole.leadingError == pieces.leadingError,
                 "normaliser state depends on the chunk boundaries")

    let output = Array(wholeOutput.readableBytesView)
    var lines = output.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
    precondition(lines.last?.isEmpty ?? true, "output does not end with a line end")
    lines.removeLast()
    var done = false
    var expectBlank = false
    for line in lines {
        precondition(!line.contains(UInt8(ascii: "\r")), "a carriage return inside an output line")
        if expectBlank {
            precondition(line.isEmpty, "an event is not ended by a blank line")
            expectBlank = false
            continue
        }
        precondition(!done, "output after data: [DONE]")
        if line.starts(with: Array("data: ".utf8)) {
            if line.elementsEqual("data: [DONE]".utf8) { done = true }
        } else {
            precondition(line.first == UInt8(ascii: ":"), "an output line that is neither data nor a comment")
        }
        expectBlank = true
    }
    precondition(!expectBlank, "the last event has no blank line")

    // The upstream error readers the normaliser and the 200-with-error path use.
    _ = UpstreamError(json: bytes)
    _ = UpstreamError(errorField: bytes)
    return 0
}

@_cdecl("FuzzStream_main")
public func fuzzerMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    runFuzzer(argc, argv, fuzzStream)
}
