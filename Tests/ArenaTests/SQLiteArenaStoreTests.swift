import Arena
import Foundation
import Leaderboard
import Testing

@Suite struct SQLiteArenaStoreTests {
    @Test func battleVoteRoundTrip() async throws {
        let store = try SQLiteArenaStore(path: ":memory:")
        let created = Date(timeIntervalSince1970: 1_700_000_000)
        try await store.createBattle(BattleRecord(id: "b1", modelA: "x", modelB: "y", createdAt: created))
        try await store.updateTurns(of: "b1", turns: 2, conversations: nil, style: nil)
        let voted = try await store.vote(on: "b1", winner: .modelB, judge: "j", at: created.addingTimeInterval(5))
        #expect(voted.verdict == .modelB)
        #expect(voted.turns == 2)
        #expect(try await store.battle("b1")?.verdict == .modelB)
        let votes = try await store.votes()
        #expect(votes == [Vote(id: "b1", modelA: "x", modelB: "y", verdict: .modelB, time: created.addingTimeInterval(5), judge: "j", turns: 2)])
    }

    @Test func oneVotePerBattleAndUnknownBattlesAreErrors() async throws {
        let store = try SQLiteArenaStore(path: ":memory:")
        try await store.createBattle(BattleRecord(id: "b1", modelA: "x", modelB: "y", createdAt: Date()))
        _ = try await store.vote(on: "b1", winner: .tie, judge: "j", at: Date())
        await #expect(throws: ArenaError.alreadyVoted("b1")) {
            _ = try await store.vote(on: "b1", winner: .modelA, judge: "j", at: Date())
        }
        await #expect(throws: ArenaError.unknownBattle("nope")) {
            _ = try await store.vote(on: "nope", winner: .modelA, judge: "j", at: Date())
        }
    }

    @Test func unvotedBattlesAreNotVotesAndImportsAreIdempotent() async throws {
        let store = try SQLiteArenaStore(path: ":memory:")
        try await store.createBattle(BattleRecord(id: "open", modelA: "x", modelB: "y", createdAt: Date()))
        let imported = [
            Vote(id: "q1", modelA: "a", modelB: "b", verdict: .tieBothBad, time: Date(timeIntervalSince1970: 2), judge: "arena_user_1"),
            Vote(id: "q0", modelA: "b", modelB: "a", verdict: .modelA, time: Date(timeIntervalSince1970: 1), judge: "arena_user_2"),
        ]
        #expect(try await store.importVotes(imported) == 2)
        #expect(try await store.importVotes(imported) == 0)
        // Oldest first: the order online Elo needs.
        #expect(try await store.votes().map(\.id) == ["q0", "q1"])
    }

    @Test func fileDatabaseSurvivesReopening() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("arena-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let store = try SQLiteArenaStore(path: path)
            try await store.createBattle(BattleRecord(id: "b1", modelA: "x", modelB: "y", createdAt: Date()))
            _ = try await store.vote(on: "b1", winner: .modelA, judge: "j", at: Date())
        }
        let reopened = try SQLiteArenaStore(path: path)
        #expect(try await reopened.votes().count == 1)
    }
}
