import Arena
import Foundation
import GRDB
import Leaderboard
import Testing

@Suite struct ArenaStyleStoreTests {
    private static let style = Battle.Style(
        a: AnswerStyle(tokens: 120, headers: [1, 0, 2], orderedListItems: 3, unorderedListItems: 1, boldAsterisks: 2, boldUnderscores: 1),
        b: AnswerStyle(tokens: 40)
    )

    @Test func styleIsStoredWithTheTurnAndReadBackWithTheVote() async throws {
        let store = try SQLiteArenaStore(path: ":memory:")
        try await store.createBattle(BattleRecord(id: "b1", modelA: "x", modelB: "y", createdAt: Date(timeIntervalSince1970: 1)))
        try await store.updateTurns(of: "b1", turns: 1, conversations: nil, style: Self.style)
        _ = try await store.vote(on: "b1", winner: .modelA, judge: "arena_user_1", at: Date(timeIntervalSince1970: 2))
        let vote = try #require(try await store.votes().first)
        #expect(vote.style == Self.style)
        #expect(vote.battle.style == Self.style)
        #expect(vote.question == nil)
        // And out through FastChat's conv_metadata.
        #expect(vote.fastChatRecord.battle.style == Self.style)
    }

    @Test func importedVotesKeepStyleAndQuestion() async throws {
        let store = try SQLiteArenaStore(path: ":memory:")
        let judged = Vote(id: "j1", modelA: "x", modelB: "y", verdict: .tie, time: Date(timeIntervalSince1970: 5), judge: "llm:gpt-4", turns: 2, question: "81")
        let logged = Vote(id: "l1", modelA: "x", modelB: "y", verdict: .modelB, time: Date(timeIntervalSince1970: 6), judge: "", style: Self.style)
        #expect(try await store.importVotes([judged, logged]) == 2)
        #expect(try await store.importVotes([judged]) == 0)
        #expect(try await store.votes() == [judged, logged])
    }

    /// A database written before style was recorded opens, keeps its battles and reads them
    /// without style.
    @Test func anOldDatabaseIsMigratedAndKeepsItsBattles() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("arena-old-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            // The schema and migration record exactly as the first release wrote them.
            let old = try DatabaseQueue(path: path)
            try await old.write { db in
                try db.execute(sql: """
                    CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
                    INSERT INTO grdb_migrations VALUES ('battles');
                    CREATE TABLE "battle" ("id" TEXT PRIMARY KEY NOT NULL, "model_a" TEXT NOT NULL, "model_b" TEXT NOT NULL,
                      "created_at" DOUBLE NOT NULL, "turns" INTEGER NOT NULL DEFAULT 0, "conversation_a" TEXT, "conversation_b" TEXT,
                      "winner" TEXT, "voted_at" DOUBLE, "judge" TEXT);
                    CREATE INDEX "battle_voted_at" ON "battle"("voted_at");
                    INSERT INTO battle (id, model_a, model_b, created_at, turns, winner, voted_at, judge)
                      VALUES ('old1', 'x', 'y', 1, 2, 'model_a', 3, 'arena_user_9'), ('open1', 'y', 'x', 4, 1, NULL, NULL, NULL);
                    """)
            }
        }
        let store = try SQLiteArenaStore(path: path)
        #expect(try await store.votes() == [Vote(id: "old1", modelA: "x", modelB: "y", verdict: .modelA, time: Date(timeIntervalSince1970: 3), judge: "arena_user_9", turns: 2)])
        // The open battle can still be played on and voted, now with style.
        try await store.updateTurns(of: "open1", turns: 2, conversations: nil, style: Self.style)
        _ = try await store.vote(on: "open1", winner: .tie, judge: "arena_user_1", at: Date(timeIntervalSince1970: 9))
        let votes = try await store.votes()
        #expect(votes.map(\.id) == ["old1", "open1"])
        #expect(votes.map { $0.style != nil } == [false, true])
        // Reopening runs no migration twice.
        #expect(try await SQLiteArenaStore(path: path).votes().count == 2)
    }

    @Test func voteSourcesSplitPeopleFromLLMJudges() {
        let human = Vote(id: "1", modelA: "x", modelB: "y", verdict: .tie, time: Date(), judge: "arena_user_1")
        let judge = Vote(id: "2", modelA: "x", modelB: "y", verdict: .tie, time: Date(), judge: "llm:gpt-4")
        #expect([human, judge].filter(VoteSource.human.includes).map(\.id) == ["1"])
        #expect([human, judge].filter(VoteSource.judge.includes).map(\.id) == ["2"])
        #expect([human, judge].filter(VoteSource.all.includes).count == 2)
    }

    @Test func importedJudgmentsBecomeVotesWithTheirQuestion() throws {
        let log = try JudgmentLog(decoding: Data(#"{"question_id": 81, "model_1": "x", "model_2": "y", "g1_winner": "model_2", "g2_winner": "model_2", "judge": ["gpt-4", "pair-v2"], "turn": 2}"#.utf8))
        let vote = Vote(try #require(log.judgments.first))
        #expect(vote.judge == "llm:gpt-4")
        #expect(vote.verdict == .modelB)
        #expect(vote.agreementVote == JudgeAgreement.Vote(question: "81", turn: 2, modelA: "x", modelB: "y", winner: .modelB, judge: "llm:gpt-4"))
    }
}
