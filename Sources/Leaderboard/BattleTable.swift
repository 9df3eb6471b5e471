/// Battles collapsed into unique (model A, model B, outcome) rows with counts, as FastChat's
/// `preprocess_for_bt` does.
///
/// A million votes over fifty models become at most 50 × 50 × 3 rows, so the fit and every
/// bootstrap round work on thousands of rows instead of the raw votes.
public struct BattleTable: Sendable, Equatable {
    /// One distinct result; both kinds of tie share a row because they score the same.
    public struct Row: Sendable, Hashable {
        /// Indexes into ``BattleTable/models``.
        public var modelA: Int
        public var modelB: Int
        /// 1, 0.5 or 0.
        public var scoreForA: Double
        public var count: Int

        public init(modelA: Int, modelB: Int, scoreForA: Double, count: Int) {
            self.modelA = modelA
            self.modelB = modelB
            self.scoreForA = scoreForA
            self.count = count
        }
    }

    /// Sorted by name, so the table does not depend on the order of the votes.
    public let models: [String]
    /// Ordered by (model A, model B, score).
    public let rows: [Row]
    public let battleCount: Int

    public init(_ battles: [Battle]) {
        // One pass with provisional indices in order of appearance; names are sorted afterwards.
        var index: [String: Int] = [:]
        var names: [String] = []
        func slot(_ model: String) -> Int {
            if let known = index[model] { return known }
            index[model] = names.count
            names.append(model)
            return names.count - 1
        }
        var codes = [Int32](repeating: 0, count: battles.count * 3)
        for (position, battle) in battles.enumerated() {
            codes[3 * position] = Int32(slot(battle.modelA))
            codes[3 * position + 1] = Int32(slot(battle.modelB))
            codes[3 * position + 2] = switch battle.winner {
            case .modelB: 0
            case .tie, .tieBothBad: 1
            case .modelA: 2
            }
        }
        let sortedNames = names.sorted()
        let rank = Dictionary(uniqueKeysWithValues: sortedNames.enumerated().map { ($1, $0) })
        let final = names.map { rank[$0]! }
        let n = names.count
        var counts = [Int](repeating: 0, count: n * n * 3)
        for position in battles.indices {
            let a = final[Int(codes[3 * position])]
            let b = final[Int(codes[3 * position + 1])]
            counts[(a * n + b) * 3 + Int(codes[3 * position + 2])] += 1
        }
        var rows: [Row] = []
        for (cell, count) in counts.enumerated() where count > 0 {
            let pair = cell / 3
            rows.append(Row(modelA: pair / n, modelB: pair % n, scoreForA: Double(cell % 3) / 2, count: count))
        }
        self.init(models: sortedNames, rows: rows)
    }

    /// A table from rows already collapsed, e.g. hand-made in a test; `battleCount` is their sum.
    public init(models: [String], rows: [Row]) {
        self.models = models
        self.rows = rows
        battleCount = rows.reduce(0) { $0 + $1.count }
    }

    /// Battles per model, ties included; a model that battled itself counts it twice, as
    /// FastChat's `value_counts` over both columns does.
    public var battlesPerModel: [Int] {
        var totals = [Int](repeating: 0, count: models.count)
        for row in rows {
            totals[row.modelA] += row.count
            totals[row.modelB] += row.count
        }
        return totals
    }

    /// `[i][j]`: the share of the decisive battles between `i` and `j` that `i` won, on either
    /// side; `nil` when they never had one. Ties are left out, as FastChat's matrix leaves them.
    public func winFractions() -> [[Double?]] {
        let n = models.count
        var wins = [[Int]](repeating: [Int](repeating: 0, count: n), count: n)
        var decisive = wins
        for row in rows where row.scoreForA != 0.5 {
            let (winner, loser) = row.scoreForA == 1 ? (row.modelA, row.modelB) : (row.modelB, row.modelA)
            wins[winner][loser] += row.count
            decisive[row.modelA][row.modelB] += row.count
            decisive[row.modelB][row.modelA] += row.count
        }
        return (0..<n).map { i in
            (0..<n).map { j -> Double? in
                guard decisive[i][j] > 0 else { return nil }
                return Double(wins[i][j]) / Double(decisive[i][j])
            }
        }
    }
}
