extension SeparatorStyle {
    /// Which FastChat numbers `sep_style`: the two disagree from 8 on.
    ///
    /// FastChat 0.2.36, the last release, has 19 styles; later sources inserted `LLAMA3` after
    /// `LLAMA2` (2024-04) and appended `GEMMA`, `CLLM` and `DEFAULT`, so `"sep_style": 8` is
    /// `CHATGLM` from a released worker and `LLAMA3` from a current one. ``rawValue`` is the
    /// current numbering.
    public enum Numbering: Sendable {
        /// fschat 0.2.36, whose templates carry no `system_message_vision` key.
        case release
        /// FastChat's sources since 2024-06, whose templates carry `system_message_vision`.
        case current
    }

    /// The style FastChat numbered `value`, or `nil` if that numbering has no such style.
    public init?(fastChatValue value: Int, numbering: Numbering) {
        switch numbering {
        case .current:
            self.init(rawValue: value)
        case .release:
            let released = SeparatorStyle.allCases.filter(\.isInRelease)
            guard value >= 1, value <= released.count else { return nil }
            self = released[value - 1]
        }
    }

    /// This style's number in `numbering`, or `nil` if that FastChat does not have it.
    public func fastChatValue(numbering: Numbering) -> Int? {
        switch numbering {
        case .current:
            return rawValue
        case .release:
            guard let index = SeparatorStyle.allCases.filter(\.isInRelease).firstIndex(of: self) else { return nil }
            return index + 1
        }
    }

    /// Whether fschat 0.2.36 knows this style.
    public var isInRelease: Bool {
        switch self {
        case .llama3, .gemma, .cllm, .default: false
        default: true
        }
    }
}
