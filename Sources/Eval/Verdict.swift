/// Reads a judge's verdict out of its free-text reply, the way MT-Bench asks for it, and refuses
/// to guess: a reply without exactly one verdict is unparseable, and is counted as such.
public enum Verdict {
    /// Why a reply holds no usable verdict.
    public enum Problem: Error, Sendable, Equatable {
        case absent
        /// Different verdicts in one reply (FastChat would take the first; we count it unparseable).
        case conflicting
        /// A rating outside 1–10.
        case outOfRange(Double)
    }

    /// A pairwise verdict, by position.
    public enum Preference: Sendable, Equatable {
        case a, b, tie
    }

    /// The 1–10 rating in `[[8]]` or `[[8.5]]`; like FastChat, a plain `[8]` is read only when no
    /// double-bracketed rating is present. The same rating repeated is one verdict.
    public static func rating(in reply: String) -> Result<Double, Problem> {
        var values = reply.matches(of: #/\[\[\s*(\d{1,3}(?:\.\d{0,3})?)\s*\]\]/#).compactMap { Double($0.output.1) }
        if values.isEmpty {
            values = reply.matches(of: #/\[\s*(\d{1,3}(?:\.\d{0,3})?)\s*\]/#).compactMap { Double($0.output.1) }
        }
        guard let first = values.first else { return .failure(.absent) }
        guard values.allSatisfy({ $0 == first }) else { return .failure(.conflicting) }
        guard (1...10).contains(first) else { return .failure(.outOfRange(first)) }
        return .success(first)
    }

    /// The `[[A]]`, `[[B]]` or `[[C]]` (tie) verdict; the same verdict repeated is one verdict.
    public static func preference(in reply: String) -> Result<Preference, Problem> {
        let found: [(String, Preference)] = [("[[A]]", .a), ("[[B]]", .b), ("[[C]]", .tie)].filter { reply.contains($0.0) }
        guard let first = found.first else { return .failure(.absent) }
        guard found.count == 1 else { return .failure(.conflicting) }
        return .success(first.1)
    }

    /// The winner of a game recorded in FastChat's terms: `modelShownFirst` is the model in
    /// position A (model 1 in game g1, model 2 in the swapped game g2).
    public static func winner(in reply: String, modelShownFirst: PairJudgment.Winner) -> PairJudgment.Winner {
        let other: PairJudgment.Winner = modelShownFirst == .model1 ? .model2 : .model1
        switch preference(in: reply) {
        case .success(.a): return modelShownFirst
        case .success(.b): return other
        case .success(.tie): return .tie
        case .failure: return .error
        }
    }
}
