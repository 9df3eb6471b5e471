import Leaderboard

/// Whose votes a leaderboard ranks: people's in the arena (and imported human logs), LLM judges'
/// (imported judgments, judge `llm:<model>`), or both.
public enum VoteSource: String, Sendable, CaseIterable {
    case human, judge, all

    public func includes(_ vote: Vote) -> Bool {
        switch self {
        case .all: true
        case .judge: JudgeAgreement.isLLMJudge(vote.judge)
        case .human: !JudgeAgreement.isLLMJudge(vote.judge)
        }
    }
}
