import Foundation
import Leaderboard
import Testing

/// Checks the fit and the online Elo against numbers computed the way FastChat computes them
/// (`Scripts/leaderboard-reference.py`, SciPy's L-BFGS-B on the same 20 000 battles).
@Suite struct FastChatReferenceTests {
    private struct Reference: Decodable {
        var battles: Int
        var anchor: RatingAnchor
        var btRating: [String: Double]
        var btRatingAnchored: [String: Double]
        var eloRatingOnline: [String: Double]

        enum CodingKeys: String, CodingKey {
            case battles, anchor
            case btRating = "bt_rating"
            case btRatingAnchored = "bt_rating_anchored"
            case eloRatingOnline = "elo_rating_online"
        }
    }

    private static let seeds = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("seeds")

    private func load() throws -> ([Battle], Reference) {
        let records = try FastChatBattle.decode(Data(contentsOf: Self.seeds.appendingPathComponent("arena-battles.jsonl")))
        let reference = try JSONDecoder().decode(
            Reference.self,
            from: Data(contentsOf: Self.seeds.appendingPathComponent("arena-reference.json"))
        )
        #expect(records.count == reference.battles)
        return (records.map(\.battle), reference)
    }

    private func maxDifference(_ ours: [String: Double], _ theirs: [String: Double]) -> Double {
        #expect(Set(ours.keys) == Set(theirs.keys))
        return theirs.map { abs((ours[$0.key] ?? .infinity) - $0.value) }.max() ?? .infinity
    }

    @Test func bradleyTerryMatchesFastChat() async throws {
        let (battles, reference) = try load()
        let table = BattleTable(battles)
        let fit = BradleyTerry().fit(table)
        #expect(fit.converged)
        let plain = Dictionary(uniqueKeysWithValues: zip(table.models, fit.ratings))
        #expect(maxDifference(plain, reference.btRating) < 0.5)
        // FastChat's anchor, through the whole leaderboard.
        let board = await Leaderboard(battles: battles, configuration: .init(bootstrapRounds: 0, anchor: reference.anchor))
        let anchored = Dictionary(uniqueKeysWithValues: board.rows.map { ($0.model, $0.rating) })
        #expect(maxDifference(anchored, reference.btRatingAnchored) < 0.5)
    }

    @Test func onlineEloMatchesFastChat() throws {
        let (battles, reference) = try load()
        #expect(maxDifference(OnlineElo().ratings(for: battles), reference.eloRatingOnline) < 0.01)
    }
}
