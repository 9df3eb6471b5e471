import Foundation
import Leaderboard
import Testing

@Suite struct LeaderboardTests {
    @Test func ranksCountTheModelsBetterBeyondDoubt() {
        // a [1200, 1250], b [1180, 1230], c [1100, 1190], d [1000, 1060].
        // a: nobody's lower bound is above 1250 → 1. b: none above 1230 → 1.
        // c: a's 1200 is above 1190 (b's 1180 is not) → 2. d: a, b and c are above 1060 → 4.
        let ranks = Leaderboard.ranks(lower: [1200, 1180, 1100, 1000], upper: [1250, 1230, 1190, 1060])
        #expect(ranks == [1, 1, 2, 4])
    }

    @Test func winFractionsCountDecisiveBattlesOnEitherSide() {
        let battles = [
            Battle(modelA: "a", modelB: "b", winner: .modelA),
            Battle(modelA: "a", modelB: "b", winner: .modelA),
            Battle(modelA: "b", modelB: "a", winner: .modelA),
            Battle(modelA: "b", modelB: "a", winner: .modelB),
            Battle(modelA: "a", modelB: "b", winner: .tie),
            Battle(modelA: "c", modelB: "a", winner: .tieBothBad),
            Battle(modelA: "c", modelB: "b", winner: .modelB),
        ]
        let table = BattleTable(battles)
        #expect(table.models == ["a", "b", "c"])
        // a beat b twice as A and once as B; b beat a once as A: 3 of 4 decisive battles.
        // a and c only tied; b beat c once as B.
        let fractions = table.winFractions()
        #expect(fractions[0] == [nil, 0.75, nil])
        #expect(fractions[1] == [0.25, nil, 1])
        #expect(fractions[2] == [nil, 0, nil])
        #expect(table.battlesPerModel == [6, 6, 2])
        #expect(table.battleCount == 7)
    }

    @Test func collapsesBattlesIntoCountedRows() {
        let battles = [
            Battle(modelA: "b", modelB: "a", winner: .tie),
            Battle(modelA: "b", modelB: "a", winner: .tieBothBad),
            Battle(modelA: "b", modelB: "a", winner: .modelB),
            Battle(modelA: "a", modelB: "b", winner: .modelB),
        ]
        #expect(BattleTable(battles).rows == [
            .init(modelA: 0, modelB: 1, scoreForA: 0, count: 1),
            .init(modelA: 1, modelB: 0, scoreForA: 0, count: 1),
            .init(modelA: 1, modelB: 0, scoreForA: 0.5, count: 2),
        ])
    }

    @Test func buildsSortedRowsWithIntervalsAndRanks() async {
        let arena = SyntheticArena.evenlySpaced(count: 5, from: 900, to: 1300)
        let battles = arena.battles(count: 5_000, seed: 11)
        let board = await Leaderboard(battles: battles, configuration: .init(bootstrapRounds: 50, seed: 5))
        #expect(board.rows.map(\.model) == arena.models.reversed())
        #expect(board.battles == 5_000)
        #expect(board.rows.map(\.battles).reduce(0, +) == 10_000)
        for row in board.rows {
            #expect(row.lower < row.rating && row.rating < row.upper)
            #expect(row.rank == 1 + board.rows.filter { $0.lower > row.upper }.count)
        }
        // 100 points apart with ~2 000 battles each: the intervals separate.
        #expect(board.rows.map(\.rank) == [1, 2, 3, 4, 5])
        #expect(board.rows.map(\.onlineElo) == board.rows.map(\.onlineElo).sorted(by: >))
        // The matrix follows the rows: the best model wins most of its decisive battles.
        #expect(board.winFractions[0].compactMap { $0 }.allSatisfy { $0 > 0.5 })
        #expect(board.winFractions[0][0] == nil)
        let again = await Leaderboard(battles: battles, configuration: .init(bootstrapRounds: 50, seed: 5))
        #expect(board == again)
    }

    @Test func theAnchorShiftsEverything() async {
        let battles = SyntheticArena.evenlySpaced(count: 3).battles(count: 600, seed: 2)
        let plain = await Leaderboard(battles: battles, configuration: .init(bootstrapRounds: 10))
        let anchored = await Leaderboard(
            battles: battles,
            configuration: .init(bootstrapRounds: 10, anchor: RatingAnchor(model: "model-1", rating: 1114))
        )
        let shift = 1114 - plain.rows.first { $0.model == "model-1" }!.rating
        for (before, after) in zip(plain.rows, anchored.rows) {
            #expect(abs(after.rating - before.rating - shift) < 1e-9)
            #expect(after.onlineElo == before.onlineElo)
        }
        // Every round is anchored too, so the anchor's own interval is a point and the others
        // measure the distance to it.
        let anchorRow = anchored.rows.first { $0.model == "model-1" }!
        #expect(anchorRow.lower == 1114 && anchorRow.upper == 1114)
        #expect(anchored.rows.allSatisfy { $0.lower <= $0.rating && $0.rating <= $0.upper })
        let mean = plain.rows.map(\.rating).reduce(0, +) / 3
        #expect(abs(mean - 1000) < 1e-9)
        let absent = await Leaderboard(battles: battles, configuration: .init(bootstrapRounds: 10, anchor: .fastChat))
        #expect(absent.rows.map(\.rating) == plain.rows.map(\.rating))
        #expect(absent.anchor == nil)
        #expect(anchored.anchor == RatingAnchor(model: "model-1", rating: 1114))
    }

    @Test func withoutRoundsIntervalsCollapse() async {
        let board = await Leaderboard(battles: SyntheticArena.evenlySpaced(count: 3).battles(count: 300, seed: 4), configuration: .init(bootstrapRounds: 0))
        #expect(board.rows.allSatisfy { $0.lower == $0.rating && $0.upper == $0.rating })
        #expect(board.rows.map(\.rank) == [1, 2, 3])
    }

    @Test func noBattlesGiveAnEmptyBoard() async {
        let board = await Leaderboard(battles: [])
        #expect(board.rows.isEmpty)
        #expect(board.winFractions.isEmpty)
    }

    @Test func encodesSnakeCaseJSON() async throws {
        let battles = [
            Battle(modelA: "a", modelB: "b", winner: .modelA),
            Battle(modelA: "b", modelB: "a", winner: .modelA),
            Battle(modelA: "a", modelB: "b", winner: .tie),
        ]
        let board = await Leaderboard(battles: battles, configuration: .init(bootstrapRounds: 3, anchor: RatingAnchor(model: "a", rating: 1100)))
        let data = try JSONEncoder().encode(board)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == ["battles", "bootstrap_rounds", "seed", "anchor", "rows", "win_fractions"])
        let row = try #require((object["rows"] as? [[String: Any]])?.first)
        #expect(Set(row.keys) == ["rank", "model", "rating", "rating_q025", "rating_q975", "num_battles", "elo_rating_online"])
        #expect(String(decoding: data, as: UTF8.self).contains("\"win_fractions\":[[null,0.5],[0.5,null]]"))
        #expect(try JSONDecoder().decode(Leaderboard.self, from: data) == board)
    }
}
