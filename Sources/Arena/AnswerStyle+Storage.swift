import Leaderboard

extension AnswerStyle {
    /// How the arena's database keeps a style: eleven counts separated by commas, `tokens, h1…h6,
    /// ordered, unordered, **, __`. Compact, and read back without a JSON parser for every vote.
    var storageText: String {
        ([tokens] + headers + [orderedListItems, unorderedListItems, boldAsterisks, boldUnderscores])
            .map(String.init).joined(separator: ",")
    }

    /// `nil` unless the text holds eleven counts.
    init?(storageText text: String) {
        let counts = text.split(separator: ",").compactMap { Int($0) }
        guard counts.count == 11 else { return nil }
        self.init(
            tokens: counts[0],
            headers: Array(counts[1...6]),
            orderedListItems: counts[7],
            unorderedListItems: counts[8],
            boldAsterisks: counts[9],
            boldUnderscores: counts[10]
        )
    }
}
