// What the libFuzzer targets share: the driver hand-over and the chunk cutter.

/// Cuts `bytes` into chunks whose lengths follow from `seed` (a small generator, so every cut
/// pattern is reachable and reproducible from the input alone).
public func cut(_ bytes: [UInt8], seed: UInt8) -> [[UInt8]] {
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

@_silgen_name("LLVMFuzzerRunDriver")
private func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

/// Hands the command line to libFuzzer's driver. SwiftPM links an executable target with `main`
/// renamed to `<Target>_main`, and with -parse-as-library there is no Swift main: each target
/// defines that symbol and calls this.
public func runFuzzer(
    _ argc: CInt,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>,
    _ target: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt {
    var count = argc
    var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return runFuzzerDriver(&count, &arguments, target)
}
