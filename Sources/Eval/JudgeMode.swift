/// MT-Bench's three ways of judging, by FastChat's names.
public enum JudgeMode: String, Sendable, CaseIterable, Codable {
    /// Each answer graded 1–10 on its own.
    case single
    /// Each model compared with one baseline model.
    case pairwiseBaseline = "pairwise-baseline"
    /// Every pair of models compared.
    case pairwiseAll = "pairwise-all"

    public var isPairwise: Bool { self != .single }
}
