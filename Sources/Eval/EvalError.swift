/// A failure of an evaluation step, with the message an operator reads.
public struct EvalError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
