import Foundation
import Leaderboard

/// Where battles and votes live. SQLite (``SQLiteArenaStore``) is the default; the protocol is
/// what a PostgreSQL store would implement for gateways that share one arena.
public protocol ArenaStore: Sendable {
    func createBattle(_ battle: BattleRecord) async throws
    /// Saves the conversations after a turn (their text only when the arena is told to keep it)
    /// and both answers' style so far.
    func updateTurns(of id: String, turns: Int, conversations: (a: String, b: String)?, style: Battle.Style?) async throws
    func battle(_ id: String) async throws -> BattleRecord?
    /// Records the vote; throws ``ArenaError/alreadyVoted`` or ``ArenaError/unknownBattle``.
    func vote(on id: String, winner: Verdict, judge: String, at time: Date) async throws -> BattleRecord
    /// Every voted battle, oldest first: the leaderboard's input.
    func votes() async throws -> [Vote]
    /// Adds votes from elsewhere (FastChat logs); returns how many were new.
    func importVotes(_ votes: [Vote]) async throws -> Int
}

/// One battle: two anonymous models and, once voted, the verdict.
public struct BattleRecord: Sendable, Equatable {
    public var id: String
    public var modelA: String
    public var modelB: String
    public var createdAt: Date
    public var turns: Int
    public var verdict: Verdict?
    public var votedAt: Date?
    public var judge: String?

    public init(id: String, modelA: String, modelB: String, createdAt: Date, turns: Int = 0, verdict: Verdict? = nil, votedAt: Date? = nil, judge: String? = nil) {
        self.id = id
        self.modelA = modelA
        self.modelB = modelB
        self.createdAt = createdAt
        self.turns = turns
        self.verdict = verdict
        self.votedAt = votedAt
        self.judge = judge
    }
}

/// A vote, spelled as FastChat's cleaned battle logs spell it.
public typealias Verdict = Battle.Winner

extension Battle.Winner {
    /// The vote buttons' names: `a`, `b`, `tie`, `bothbad`.
    public init?(button: String) {
        switch button {
        case "a": self = .modelA
        case "b": self = .modelB
        case "tie": self = .tie
        case "bothbad": self = .tieBothBad
        default: return nil
        }
    }
}

/// A voted battle, the unit the leaderboard counts.
public struct Vote: Sendable, Equatable {
    public var id: String
    public var modelA: String
    public var modelB: String
    public var verdict: Verdict
    public var time: Date
    /// A person's pseudonym (`arena_user_…`), an imported log's judge, or `llm:<model>` for an
    /// LLM judge's verdict.
    public var judge: String
    public var turns: Int
    /// Both answers' length and markdown; `nil` for battles from before the arena recorded it and
    /// for logs without it.
    public var style: Battle.Style?
    /// The question both models answered, for votes on a fixed question set (imported
    /// judgments): what judge–human agreement pairs votes by. `nil` for arena battles, whose
    /// prompts are the voters' own.
    public var question: String?

    public init(id: String, modelA: String, modelB: String, verdict: Verdict, time: Date, judge: String, turns: Int = 1, style: Battle.Style? = nil, question: String? = nil) {
        self.id = id
        self.modelA = modelA
        self.modelB = modelB
        self.verdict = verdict
        self.time = time
        self.judge = judge
        self.turns = turns
        self.style = style
        self.question = question
    }
}

public enum ArenaError: Error, Equatable {
    case unknownBattle(String)
    case alreadyVoted(String)
}

extension Vote {
    /// The leaderboard's view of the vote.
    public var battle: Battle {
        Battle(modelA: modelA, modelB: modelB, winner: verdict, timestamp: time.timeIntervalSince1970, style: style)
    }

    /// The vote as judge–human agreement pairs it; `nil` without a question.
    public var agreementVote: JudgeAgreement.Vote? {
        question.map { JudgeAgreement.Vote(question: $0, turn: turns, modelA: modelA, modelB: modelB, winner: verdict, judge: judge) }
    }

    /// An imported judgment; its id makes a second import of it a no-op.
    public init(_ judgment: JudgmentLog.Judgment) {
        self.init(
            id: judgment.id,
            modelA: judgment.modelA,
            modelB: judgment.modelB,
            verdict: judgment.winner,
            time: Date(timeIntervalSince1970: judgment.timestamp),
            judge: judgment.judge,
            turns: judgment.turn,
            question: judgment.question
        )
    }
}

extension Vote {
    /// A record of FastChat's cleaned battle logs; ids become `question_id` so a round trip keeps them.
    public var fastChatRecord: FastChatBattle {
        FastChatBattle(
            modelA: modelA,
            modelB: modelB,
            winner: verdict,
            tstamp: time.timeIntervalSince1970,
            anony: true,
            judge: judge,
            turn: turns,
            questionID: id,
            convMetadata: style.map(ConversationMetadata.init)
        )
    }

    /// A vote from a FastChat log; records without a `question_id` get `fallbackID`.
    public init(_ record: FastChatBattle, fallbackID: String) {
        self.init(
            id: record.questionID ?? fallbackID,
            modelA: record.modelA,
            modelB: record.modelB,
            verdict: record.winner,
            time: Date(timeIntervalSince1970: record.tstamp),
            judge: record.judge ?? "",
            turns: record.turn ?? 1,
            style: record.convMetadata?.style
        )
    }
}
