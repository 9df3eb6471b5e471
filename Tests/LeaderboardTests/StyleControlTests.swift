import Foundation
import Leaderboard
import Testing

@Suite struct StyleControlTests {
    /// Four models; `verbose` is as strong as `plain` but answers three times longer, and voters
    /// reward length.
    private static let arena = SyntheticArena(models: ["plain", "strong", "verbose", "weak"], ratings: [1000, 1150, 1000, 850])
    private static let battles = arena.styledBattles(count: 8000, seed: 7, answerTokens: [300, 300, 900, 300], lengthEffect: 1.2)

    private func ratings(_ board: Leaderboard) -> [String: Double] {
        Dictionary(uniqueKeysWithValues: board.rows.map { ($0.model, $0.rating) })
    }

    @Test func plainBradleyTerryRewardsVerbosityAndStyleControlTakesItBack() async {
        let plain = ratings(await Leaderboard(battles: Self.battles, configuration: .init(bootstrapRounds: 0)))
        let board = await Leaderboard(battles: Self.battles, configuration: .init(bootstrapRounds: 0, styleControl: true))
        let styled = ratings(board)
        // Plain BT puts the verbose model far above its equal; style control brings it back level.
        #expect(plain["verbose"]! - plain["plain"]! > 60)
        #expect(abs(styled["verbose"]! - styled["plain"]!) < 25)
        // The length coefficient carries the effect, positive and well clear of zero.
        let summary = try! #require(board.styleControl)
        #expect(summary.applied && summary.battlesWithoutStyle == 0)
        #expect(summary.coefficients.map(\.feature) == StyleFeature.allCases)
        let length = summary.coefficients.first { $0.feature == .length }!
        #expect(length.value > 0.2)
        // The order of the others is kept.
        #expect(styled["strong"]! > styled["plain"]! && styled["plain"]! > styled["weak"]!)
    }

    @Test func bootstrapGivesIntervalsForRatingsAndCoefficients() async {
        let board = await Leaderboard(battles: Array(Self.battles.prefix(2000)), configuration: .init(bootstrapRounds: 20, seed: 3, styleControl: true))
        #expect(board.rows.allSatisfy { $0.upper > $0.lower })
        for coefficient in board.styleControl!.coefficients {
            #expect(coefficient.lower < coefficient.upper)
        }
        let again = await Leaderboard(battles: Array(Self.battles.prefix(2000)), configuration: .init(bootstrapRounds: 20, seed: 3, styleControl: true))
        #expect(again == board)
    }

    @Test func withoutStyleItIsThePlainBoard() async {
        let unstyled = Self.battles.prefix(500).map { Battle(modelA: $0.modelA, modelB: $0.modelB, winner: $0.winner, timestamp: $0.timestamp) }
        let plain = await Leaderboard(battles: unstyled, configuration: .init(bootstrapRounds: 0))
        var board = await Leaderboard(battles: unstyled, configuration: .init(bootstrapRounds: 0, styleControl: true))
        #expect(board.styleControl == StyleControlSummary(applied: false, battlesWithoutStyle: 500, coefficients: []))
        board.styleControl = nil
        #expect(board == plain)
    }

    @Test func battlesWithoutStyleAreLeftOutAndCounted() async {
        let styled = Array(Self.battles.prefix(1000))
        let old = Self.battles[1000..<1300].map { Battle(modelA: $0.modelA, modelB: $0.modelB, winner: $0.winner) }
        let board = await Leaderboard(battles: old + styled, configuration: .init(bootstrapRounds: 0, styleControl: true))
        #expect(board.battles == 1000)
        #expect(board.styleControl?.battlesWithoutStyle == 300)
        let subsetOnly = await Leaderboard(battles: styled, configuration: .init(bootstrapRounds: 0, styleControl: true))
        #expect(board.rows == subsetOnly.rows)
    }

    @Test func featuresAreNormalisedDifferencesStandardised() throws {
        func style(_ tokens: Int, bold: Int) -> AnswerStyle { AnswerStyle(tokens: tokens, boldAsterisks: bold) }
        let battles = [
            Battle(modelA: "x", modelB: "y", winner: .modelA, style: .init(a: style(30, bold: 1), b: style(10, bold: 0))),
            Battle(modelA: "y", modelB: "x", winner: .tie, style: .init(a: style(10, bold: 0), b: style(10, bold: 2))),
            Battle(modelA: "x", modelB: "y", winner: .modelB, style: .init(a: style(0, bold: 0), b: style(19, bold: 0))),
        ]
        let table = StyleControlTable(battles)
        // Headers and lists never vary: they cannot be estimated and are left out.
        #expect(table.features == [.length, .bold])
        #expect(table.models == ["x", "y"])
        #expect(table.battleCount == 3)
        // Length: (30−10)/41, 0/21, (0−19)/20, then standardised; the fit sees them through the
        // coefficients, which must make the likelihood stationary: checked by fitting.
        let fit = BradleyTerry().fit(table)
        #expect(fit.coefficients.count == 2)
        #expect(fit.ratings.count == 2)
        #expect(abs(fit.ratings.reduce(0, +) / 2 - 1000) < 1e-6)
    }

    @Test func withoutCovariatesTheFitIsThePlainFit() {
        // Every battle has the same style on both sides: no feature varies.
        let same = Battle.Style(a: AnswerStyle(tokens: 10), b: AnswerStyle(tokens: 10))
        let battles = Self.arena.battles(count: 3000, seed: 11).map { Battle(modelA: $0.modelA, modelB: $0.modelB, winner: $0.winner, style: same) }
        let table = StyleControlTable(battles)
        #expect(table.features.isEmpty)
        let styled = BradleyTerry().fit(table).ratings
        let plain = BradleyTerry().fit(BattleTable(battles)).ratings
        for (s, p) in zip(styled, plain) { #expect(abs(s - p) < 1e-6) }
    }

    @Test func summaryJSONUsesSnakeCase() throws {
        let summary = StyleControlSummary(applied: true, battlesWithoutStyle: 2, coefficients: [.init(feature: .length, value: 0.5, lower: 0.4, upper: 0.6)])
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = String(decoding: try encoder.encode(summary), as: UTF8.self)
        #expect(text == #"{"applied":true,"battles_without_style":2,"coefficients":[{"coefficient":0.5,"coefficient_q025":0.4,"coefficient_q975":0.6,"feature":"sum_assistant_tokens"}]}"#)
    }
}
