import SwitchyardCore

/// A deterministic unit vector for a text: equal texts embed equally, different texts differently.
enum SimulatedEmbedding {
    static func vector(for text: String, dimensions: Int) -> [Float] {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        var generator = SeededRandomNumberGenerator(seed: hash)
        let raw = (0..<max(1, dimensions)).map { _ in Float.random(in: -1...1, using: &generator) }
        let norm = raw.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? raw.map { $0 / norm } : raw
    }
}
