import Foundation
import Leaderboard
import Testing

/// Checks the style-controlled fit against an independent one: statsmodels' GLM on the same
/// battles and LMSYS's features (`Scripts/style-control-reference.py` → `seeds/style-*.json*`).
@Suite struct StyleControlReferenceTests {
    private struct Reference: Decodable {
        var battles: Int
        var styleRating: [String: Double]
        var plainRating: [String: Double]
        var coefficients: [String: Double]

        enum CodingKeys: String, CodingKey {
            case battles, coefficients
            case styleRating = "style_rating"
            case plainRating = "plain_rating"
        }
    }

    private static let seeds = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("seeds")

    @Test func styleControlledRatingsMatchAnIndependentFit() async throws {
        let records = try FastChatBattle.decode(Data(contentsOf: Self.seeds.appendingPathComponent("style-battles.jsonl")))
        let reference = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: Self.seeds.appendingPathComponent("style-reference.json")))
        #expect(records.count == reference.battles)
        let battles = records.map(\.battle)
        #expect(battles.allSatisfy { $0.style != nil })

        let board = await Leaderboard(battles: battles, configuration: .init(bootstrapRounds: 0, styleControl: true))
        let ours = Dictionary(uniqueKeysWithValues: board.rows.map { ($0.model, $0.rating) })
        #expect(Set(ours.keys) == Set(reference.styleRating.keys))
        let largest = reference.styleRating.map { abs(ours[$0.key]! - $0.value) }.max()!
        #expect(largest < 1, "largest difference \(largest) rating points")
        for coefficient in board.styleControl!.coefficients {
            #expect(abs(coefficient.value - reference.coefficients[coefficient.feature.rawValue]!) < 1e-3)
        }

        let plain = await Leaderboard(battles: battles, configuration: .init(bootstrapRounds: 0))
        for row in plain.rows { #expect(abs(row.rating - reference.plainRating[row.model]!) < 1) }
        // The set was made so that style matters: the verbose model drops once it is controlled.
        let verbosePlain = plain.rows.first { $0.model == "verbose-7b" }!.rating
        #expect(verbosePlain - ours["verbose-7b"]! > 50)
    }
}
