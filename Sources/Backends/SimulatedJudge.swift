import SwitchyardCore

/// The simulator acting as an LLM judge, so that `switchyard eval judge` runs end to end with no
/// model and its outcome can be checked: the verdict depends only on the lengths of the answers.
///
/// A chat is a judging request when its messages ask for a verdict in the documented format and
/// show the answers between tags, as `switchyard eval judge` writes them:
/// - pairwise: `[[A]]` appears with `<answer A>…</answer A>` and `<answer B>…</answer B>`; the
///   answer with more words wins (`[[A]]` or `[[B]]`), equal lengths tie (`[[C]]`);
/// - single: `[[rating]]` appears with `<answer>…</answer>`; the rating is one point plus one per
///   five words, at most 10.
/// Context tags (`<earlier answer A>`) are not answers. Any other chat gets the echo reply.
public enum SimulatedJudge {
    /// The judge's reply to `messages`, or nil when they do not ask for a verdict.
    public static func verdict(for messages: [ChatCompletionRequest.Message]) -> String? {
        let text = messages.compactMap(\.content).joined(separator: "\n")
        if text.contains("[[A]]"), let a = answer("A", in: text), let b = answer("B", in: text) {
            let (wordsA, wordsB) = (SimulatedReply.wordCount(in: a), SimulatedReply.wordCount(in: b))
            let verdict = wordsA > wordsB ? "[[A]]" : wordsB > wordsA ? "[[B]]" : "[[C]]"
            return "Answer A has \(wordsA) words and answer B has \(wordsB); this simulated judge prefers the longer one. \(verdict)"
        }
        if text.contains("[[rating]]"), let answer = answer(nil, in: text) {
            let words = SimulatedReply.wordCount(in: answer)
            return "The answer has \(words) words; this simulated judge gives one point plus one per five words. Rating: [[\(rating(words: words))]]"
        }
        return nil
    }

    /// One point plus one per five words, from 1 to 10.
    public static func rating(words: Int) -> Int {
        min(10, 1 + max(0, words) / 5)
    }

    /// The text between `<answer X>` and the next `</answer X>` (`<answer>` when `label` is nil).
    static func answer(_ label: String?, in text: String) -> String? {
        let name = label.map { "answer \($0)" } ?? "answer"
        guard let open = text.range(of: "<\(name)>"),
              let close = text.range(of: "</\(name)>", range: open.upperBound..<text.endIndex)
        else { return nil }
        return String(text[open.upperBound..<close.lowerBound])
    }
}
