/// How often an LLM judge agrees with human judges: MT-Bench's headline metric, computed as
/// FastChat's `llm_judge/compute_agreement.py` computes it.
///
/// "The same pair" is the same question (`question_id`), the same turn and the same two models in
/// either order: votes are turned to one orientation (the models sorted by name, a vote for the
/// other side reversed) and every judge vote on a pair is compared with every human vote on it.
/// Both kinds of tie are one tie. With ties, every such comparison counts and a tie agrees only
/// with a tie; without ties, comparisons where either side voted a tie are left out. FastChat
/// expects one judge vote per pair; a judge that voted twice on one pair counts twice here.
public struct JudgeAgreement: Sendable, Equatable, Codable {
    /// One vote with what pairing needs.
    public struct Vote: Sendable, Equatable {
        public var question: String
        public var turn: Int
        public var modelA: String
        public var modelB: String
        public var winner: Battle.Winner
        /// `llm:<model>` for an LLM judge (see ``isLLMJudge(_:)``); anything else is a human.
        public var judge: String

        public init(question: String, turn: Int, modelA: String, modelB: String, winner: Battle.Winner, judge: String) {
            self.question = question
            self.turn = turn
            self.modelA = modelA
            self.modelB = modelB
            self.winner = winner
            self.judge = judge
        }
    }

    /// Agreeing comparisons out of all counted.
    public struct Rate: Sendable, Equatable, Codable {
        public var agree: Int
        public var total: Int
        /// `nil` when nothing was compared.
        public var rate: Double? { total > 0 ? Double(agree) / Double(total) : nil }

        enum CodingKeys: String, CodingKey { case agree, total, rate }

        public init(agree: Int, total: Int) {
            self.agree = agree
            self.total = total
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.init(agree: try container.decode(Int.self, forKey: .agree), total: try container.decode(Int.self, forKey: .total))
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(agree, forKey: .agree)
            try container.encode(total, forKey: .total)
            try container.encodeIfPresent(rate, forKey: .rate)
        }
    }

    /// The LLM judge, e.g. `llm:gpt-4`.
    public var judge: String
    /// Pairs (question, turn, two models) both this judge and at least one human voted on.
    public var pairs: Int
    public var withTies: Rate
    public var withoutTies: Rate

    enum CodingKeys: String, CodingKey {
        case judge, pairs
        case withTies = "with_ties"
        case withoutTies = "without_ties"
    }

    /// Judges named this way are LLMs; imported judgments get it (`llm:<judge model>`).
    public static let llmPrefix = "llm:"

    public static func isLLMJudge(_ judge: String) -> Bool {
        judge.hasPrefix(llmPrefix)
    }

    /// Agreement of each LLM judge with the humans, by judge name; judges that shared no pair
    /// with a human are left out.
    public static func compute(_ votes: [Vote]) -> [JudgeAgreement] {
        struct Pair: Hashable {
            var question: String
            var turn: Int
            var first: String
            var second: String
        }
        enum Outcome { case first, second, tie }
        var human: [Pair: [Outcome]] = [:]
        var llm: [String: [Pair: [Outcome]]] = [:]
        for vote in votes {
            let swapped = vote.modelB < vote.modelA
            let pair = Pair(question: vote.question, turn: vote.turn, first: swapped ? vote.modelB : vote.modelA, second: swapped ? vote.modelA : vote.modelB)
            let outcome: Outcome = switch vote.winner {
            case .modelA: swapped ? .second : .first
            case .modelB: swapped ? .first : .second
            case .tie, .tieBothBad: .tie
            }
            if isLLMJudge(vote.judge) {
                llm[vote.judge, default: [:]][pair, default: []].append(outcome)
            } else {
                human[pair, default: []].append(outcome)
            }
        }
        return llm.keys.sorted().compactMap { judge in
            var pairs = 0
            var withTies = Rate(agree: 0, total: 0)
            var withoutTies = Rate(agree: 0, total: 0)
            for (pair, judged) in llm[judge]! {
                guard let humans = human[pair] else { continue }
                pairs += 1
                for j in judged {
                    for h in humans {
                        withTies.total += 1
                        if j == h { withTies.agree += 1 }
                        guard j != .tie, h != .tie else { continue }
                        withoutTies.total += 1
                        if j == h { withoutTies.agree += 1 }
                    }
                }
            }
            return pairs > 0 ? JudgeAgreement(judge: judge, pairs: pairs, withTies: withTies, withoutTies: withoutTies) : nil
        }
    }
}
