/// A grouped bar chart of a report's per-category figures as an SVG document: one group of bars
/// per category, one colour per model, the scale fixed (0–10 for scores, 0–1 for win rates) so
/// that charts of different runs compare.
public struct CategoryChart: Sendable, Equatable {
    public var title: String
    public var categories: [String]
    /// Models in legend order with one value per category (nil: no figure).
    public var series: [(model: String, values: [Double?])]
    public var maximum: Double

    public init(title: String, categories: [String], series: [(model: String, values: [Double?])], maximum: Double) {
        self.title = title
        self.categories = categories
        self.series = series
        self.maximum = maximum
    }

    public static func == (left: CategoryChart, right: CategoryChart) -> Bool {
        left.title == right.title && left.categories == right.categories && left.maximum == right.maximum
            && left.series.map(\.model) == right.series.map(\.model) && left.series.map(\.values) == right.series.map(\.values)
    }

    /// The chart of a report: mean scores in single mode, adjusted win rates in pairwise modes.
    public init(report: EvalReport) {
        if let scores = report.scores {
            self.init(
                title: "Mean score per category (judge \(report.judge))", categories: report.categories,
                series: scores.map { score in (score.model, report.categories.map { score.categories[$0] }) }, maximum: 10
            )
        } else {
            self.init(
                title: "Adjusted win rate per category (judge \(report.judge)" + (report.baseline.map { ", against \($0)" } ?? "") + ")",
                categories: report.categories,
                series: (report.records ?? []).map { record in (record.model, report.categories.map { record.categories[$0] }) }, maximum: 1
            )
        }
    }

    static let palette = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"]

    public var svg: String {
        let bar = 14.0, gap = 18.0, left = 48.0, top = 40.0, plotHeight = 240.0
        // Wide enough for a category name under the group.
        let groupWidth = max(72, Double(max(1, series.count)) * bar + gap)
        let plotWidth = max(200, Double(categories.count) * groupWidth)
        let legendTop = top + plotHeight + 48
        let width = left + plotWidth + 20
        let height = legendTop + Double(series.count) * 18 + 10
        var out = [
            #"<svg xmlns="http://www.w3.org/2000/svg" width="\#(Int(width))" height="\#(Int(height))" font-family="sans-serif" font-size="11">"#,
            #"<rect width="100%" height="100%" fill="white"/>"#,
            #"<text x="\#(left)" y="20" font-size="14">\#(Self.escape(title))</text>"#,
        ]
        for step in 0...4 {
            let value = maximum * Double(step) / 4
            let y = top + plotHeight * (1 - Double(step) / 4)
            out.append(#"<line x1="\#(left)" y1="\#(y)" x2="\#(left + plotWidth)" y2="\#(y)" stroke="lightgray"/>"#)
            out.append(#"<text x="\#(left - 6)" y="\#(y + 4)" text-anchor="end">\#(EvalReport.number(value, digits: maximum > 1 ? 1 : 2))</text>"#)
        }
        for (group, category) in categories.enumerated() {
            let x0 = left + Double(group) * groupWidth + gap / 2
            for (index, entry) in series.enumerated() {
                guard group < entry.values.count, let value = entry.values[group], value.isFinite else { continue }
                let barHeight = plotHeight * min(1, max(0, value / maximum))
                let x = x0 + Double(index) * bar
                out.append(#"<rect x="\#(x)" y="\#(top + plotHeight - barHeight)" width="\#(bar - 2)" height="\#(barHeight)" fill="\#(Self.palette[index % Self.palette.count])"><title>\#(Self.escape(entry.model)) · \#(Self.escape(category)): \#(EvalReport.number(value, digits: 2))</title></rect>"#)
            }
            out.append(#"<text x="\#(x0 + Double(series.count) * bar / 2)" y="\#(top + plotHeight + 16)" text-anchor="middle">\#(Self.escape(category))</text>"#)
        }
        for (index, entry) in series.enumerated() {
            let y = legendTop + Double(index) * 18
            out.append(#"<rect x="\#(left)" y="\#(y - 10)" width="12" height="12" fill="\#(Self.palette[index % Self.palette.count])"/>"#)
            out.append(#"<text x="\#(left + 18)" y="\#(y)">\#(Self.escape(entry.model))</text>"#)
        }
        out.append("</svg>")
        return out.joined(separator: "\n") + "\n"
    }

    /// Text as XML character data: model and category names come from files and peers.
    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            // XML 1.0 has no control characters but tab and newlines.
            case _ where character.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }): out += " "
            default: out.append(character)
            }
        }
        return out
    }
}
