import Leaderboard
import Testing

/// Markdown counting, with expectations taken from LMSYS's regular expressions
/// (`add_markdown_info.py`) run on the same strings.
@Suite struct AnswerStyleTests {
    @Test func headersNeedExactlyOneToSixHashesThenWhitespace() {
        let style = AnswerStyle(markdown: "# One\n## Two\n###Three\n####### Seven\n #Indented\n###### Six\n#\nend", tokens: 5)
        // "#" alone on its line counts: `\s` matches the newline.
        #expect(style.headers == [2, 1, 0, 0, 0, 1])
        #expect(style.headerCount == 4)
        #expect(style.tokens == 5)
    }

    @Test func listItemsAreOrderedOrUnorderedAndNeedTheSpace() {
        let style = AnswerStyle(markdown: "1. a\n2) b\n  10. c\n- d\n* e\n+ f\n-g\n**bold** line\n---\n\n\n3. after blanks")
        #expect(style.orderedListItems == 3)
        #expect(style.unorderedListItems == 3)
        #expect(style.boldAsterisks == 1)
        #expect(style.listCount == 6)
    }

    @Test func boldSpansDoNotOverlapOrCrossLines() {
        let style = AnswerStyle(markdown: "**a** and **b** and **c**d** __e__ ____ **\n** __x_y__")
        #expect(style.boldAsterisks == 4)
        #expect(style.boldUnderscores == 1)
        #expect(style.boldCount == 5)
    }

    @Test func fencedCodeIsNotMarkdown() {
        let style = AnswerStyle(markdown: "# Real\n```\n# not a header\n- not a list\n**not bold**\n```\n- real item")
        #expect(style.headers == [1, 0, 0, 0, 0, 0])
        #expect(style.unorderedListItems == 1)
        #expect(style.boldCount == 0)
        // An unclosed fence hides nothing.
        #expect(AnswerStyle(markdown: "```\n# shown").headerCount == 1)
    }

    @Test func emptyAndPlainAnswers() {
        let empty = AnswerStyle(markdown: "")
        #expect(empty == AnswerStyle(tokens: 0))
        let plain = AnswerStyle(markdown: "Just a sentence, no markup at all.")
        #expect(plain.headerCount + plain.listCount + plain.boldCount == 0)
    }

    @Test func tokensAreEstimatedFromBytesWhenNotReported() {
        #expect(AnswerStyle.estimatedTokens("") == 0)
        #expect(AnswerStyle.estimatedTokens("abcd") == 1)
        #expect(AnswerStyle.estimatedTokens("abcde") == 2)
        #expect(AnswerStyle(markdown: String(repeating: "word ", count: 40)).tokens == 50)
        #expect(AnswerStyle(markdown: "abc", tokens: 7).tokens == 7)
    }

    @Test func hostileCountsAreClamped() {
        let style = AnswerStyle(tokens: -5, headers: [Int.max, -1, 0, 0, 0, 0, 9], orderedListItems: .max)
        #expect(style.tokens == 0)
        #expect(style.headers == [AnswerStyle.maxCount, 0, 0, 0, 0, 0])
        #expect(style.orderedListItems == AnswerStyle.maxCount)
    }
}
