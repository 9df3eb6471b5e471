/// Turns one generation's cumulative texts into deltas, as FastChat's API server does and then
/// some: U+FFFD (a multi-byte character cut by the worker's decoder) is dropped and its character
/// arrives whole with a later chunk; text that only repeats or shrinks yields nothing; the tail of
/// the text that could still grow into a stop string is held back until it is resolved, and a
/// stop string that appears ends the generation there, whatever the worker does next.
///
/// Positions count Unicode scalars, as FastChat's Python counts code points.
public struct GenerationText: Sendable {
    public let stopStrings: [String]
    /// Scalars of the cleaned text the client has been sent.
    private var sent: [Unicode.Scalar] = []
    /// The longest cleaned text seen.
    private var latest: [Unicode.Scalar] = []
    public private(set) var stopped = false

    public init(stopStrings: [String]) {
        self.stopStrings = stopStrings.filter { !$0.isEmpty }
    }

    /// The new text to send for a worker's cumulative `text` (empty when nothing is new yet).
    public mutating func delta(for text: String) -> String {
        guard !stopped else { return "" }
        let cleaned = Array(text.unicodeScalars.lazy.filter { $0 != "\u{FFFD}" })
        if cleaned.count > latest.count { latest = cleaned }
        if let cut = firstStop(in: latest) {
            stopped = true
            return emit(upTo: cut)
        }
        return emit(upTo: latest.count - heldBack(latest))
    }

    /// What was held back, once the generation ended without the stop string completing.
    public mutating func finish() -> String {
        guard !stopped else { return "" }
        stopped = true
        return emit(upTo: latest.count)
    }

    /// The whole answer of a non-streamed generation: the text up to its first stop string.
    public static func answer(_ text: String, stopStrings: [String]) -> (text: String, stopped: Bool) {
        var generation = GenerationText(stopStrings: stopStrings)
        let head = generation.delta(for: text)
        if generation.stopped { return (head, true) }
        return (head + generation.finish(), false)
    }

    private mutating func emit(upTo end: Int) -> String {
        guard end > sent.count else { return "" }
        let piece = latest[sent.count..<end]
        // The sent prefix may differ from the latest text's (a worker rewriting its text): send
        // only what extends it, as FastChat does.
        sent = Array(latest[..<end])
        var text = String.UnicodeScalarView()
        text.append(contentsOf: piece)
        return String(text)
    }

    /// Where the first complete stop string starts, searching only where it could not have been
    /// sent already.
    private func firstStop(in scalars: [Unicode.Scalar]) -> Int? {
        var best: Int?
        for stop in stopStrings {
            let needle = Array(stop.unicodeScalars)
            let from = Swift.max(0, sent.count - needle.count + 1)
            guard scalars.count >= needle.count, from <= scalars.count - needle.count else { continue }
            for start in from...(scalars.count - needle.count) where scalars[start..<start + needle.count].elementsEqual(needle) {
                if best.map({ start < $0 }) ?? true { best = start }
                break
            }
        }
        return best.map { Swift.max($0, sent.count) }
    }

    /// How many trailing scalars are a proper prefix of some stop string.
    private func heldBack(_ scalars: [Unicode.Scalar]) -> Int {
        var held = 0
        for stop in stopStrings {
            let needle = Array(stop.unicodeScalars)
            var length = Swift.min(needle.count - 1, scalars.count)
            while length > held {
                if scalars[(scalars.count - length)...].elementsEqual(needle[..<length]) {
                    held = length
                    break
                }
                length -= 1
            }
        }
        return Swift.min(held, Swift.max(0, scalars.count - sent.count))
    }
}
