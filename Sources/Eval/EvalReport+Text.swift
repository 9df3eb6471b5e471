extension EvalReport {
    /// The report as tables for a terminal.
    public var text: String {
        var lines = ["Mode: \(mode.rawValue)   judge: \(judge)" + (baseline.map { "   baseline: \($0)" } ?? "")]
        let unread = "\(unparseable) unparseable verdict\(unparseable == 1 ? "" : "s") (left out)"
        lines.append("Judgments: \(judgments), \(unread)" + (inconsistent.map { ", \($0) inconsistent pair\($0 == 1 ? "" : "s") (counted as ties)" } ?? ""))
        lines.append("")
        if let scores {
            lines += Self.table(
                header: ["model", "turn 1", "turn 2", "overall", "judged", "unparseable"],
                rows: scores.map { [$0.model, Self.number($0.turn1), Self.number($0.turn2), Self.number($0.overall), "\($0.judged)", "\($0.unparseable)"] }
            )
            lines.append("")
            lines.append("Mean score per category:")
            lines += Self.table(header: ["model"] + categories, rows: scores.map { score in [score.model] + categories.map { Self.number(score.categories[$0]) } })
        }
        if let records {
            lines += Self.table(
                header: ["model", "win", "loss", "tie", "win rate", "loss rate", "adjusted"],
                rows: records.map { ["\($0.model)", "\($0.win)", "\($0.loss)", "\($0.tie)", Self.number($0.winRate, digits: 3), Self.number($0.lossRate, digits: 3), Self.number($0.winRateAdjusted, digits: 3)] }
            )
            lines.append("")
            lines.append("Adjusted win rate per category (a tie is half a win):")
            lines += Self.table(header: ["model"] + categories, rows: records.map { record in [record.model] + categories.map { Self.number(record.categories[$0], digits: 3) } })
        }
        return lines.joined(separator: "\n")
    }

    static func number(_ value: Double?, digits: Int = 2) -> String {
        guard let value, value.isFinite else { return "-" }
        let scale = (0..<digits).reduce(1.0) { value, _ in value * 10 }
        let rounded = (value * scale).rounded() / scale
        var text = "\(rounded)"
        let decimals = text.split(separator: ".", omittingEmptySubsequences: false).last?.count ?? 0
        if !text.contains("e") { text += String(repeating: "0", count: max(0, digits - decimals)) }
        return text
    }

    /// Left-aligned first column, right-aligned numbers.
    static func table(header: [String], rows: [[String]]) -> [String] {
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return column == 0 ? cell + pad : pad + cell
            }
            .joined(separator: "  ")
        }
        return [line(header)] + rows.map(line)
    }
}
