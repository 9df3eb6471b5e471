/// FNV-1a 64 with a final mix, for hashes that must agree across processes and gateway replicas.
///
/// Swift's `Hasher` is seeded anew in every process, so ring positions or prefix keys built on it
/// would send a session to a different worker after each restart.
struct StableHash {
    private var state: UInt64 = 0xCBF2_9CE4_8422_2325

    init() {}

    mutating func combine(_ byte: UInt8) {
        state = (state ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
    }

    mutating func combine(_ text: String) {
        for byte in text.utf8 { combine(byte) }
    }

    mutating func combine(_ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { combine(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    /// FNV-1a carries a change in the last bytes poorly into the high bits, which decide ring
    /// order, so the state goes through SplitMix64's finaliser first.
    var value: UInt64 {
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
