import Backends
import Foundation
import NIOCore
import SwitchyardCore
import Testing

@Suite struct SimulatorJudgeTests {
    func messages(_ system: String, _ user: String) -> [ChatCompletionRequest.Message] {
        [.init(role: "system", content: system), .init(role: "user", content: user)]
    }

    @Test func pairwisePrefersTheLongerAnswer() {
        let ask = "End with [[A]], [[B]] or [[C]]."
        #expect(SimulatedJudge.verdict(for: messages(ask, "<answer A>\none two three\n</answer A>\n<answer B>\none\n</answer B>"))?.hasSuffix("[[A]]") == true)
        #expect(SimulatedJudge.verdict(for: messages(ask, "<answer A>one</answer A><answer B>one two</answer B>"))?.hasSuffix("[[B]]") == true)
        #expect(SimulatedJudge.verdict(for: messages(ask, "<answer A>x y</answer A><answer B>y x</answer B>"))?.hasSuffix("[[C]]") == true)
        // Context is not the answer under judgment.
        #expect(SimulatedJudge.verdict(for: messages(ask, "<earlier answer A>a b c d e f</earlier answer A><answer A>one</answer A><answer B>one two</answer B>"))?.hasSuffix("[[B]]") == true)
    }

    @Test func singleScoresByLength() {
        #expect(SimulatedJudge.rating(words: 0) == 1)
        #expect(SimulatedJudge.rating(words: 4) == 1)
        #expect(SimulatedJudge.rating(words: 5) == 2)
        #expect(SimulatedJudge.rating(words: 45) == 10)
        #expect(SimulatedJudge.rating(words: 1000) == 10)
        let reply = SimulatedJudge.verdict(for: messages("Grade as [[rating]].", "<answer>" + String(repeating: "w ", count: 12) + "</answer>"))
        #expect(reply?.hasSuffix("Rating: [[3]]") == true)
    }

    @Test func otherChatsAreNotJudged() {
        #expect(SimulatedJudge.verdict(for: messages("Be brief", "Hello")) == nil)
        #expect(SimulatedJudge.verdict(for: messages("[[A]]", "<answer A>only one</answer A>")) == nil)
        #expect(SimulatedJudge.verdict(for: messages("[[rating]]", "no tags")) == nil)
        #expect(SimulatedJudge.verdict(for: messages("no format", "<answer>x</answer>")) == nil)
    }

    @Test func backendAnswersTheVerdictWithHonestCountsAndLimits() async throws {
        let body = #"{"model":"judge","messages":[{"role":"system","content":"Verdict as [[A]], [[B]] or [[C]]."},{"role":"user","content":"<answer A>a b c</answer A><answer B>a</answer B>"}]}"#
        let response = try await SimulatorBackend(configuration: .init(outputTokens: 3)).respond(to: BackendRequest(body: ByteBuffer(string: body), requestID: "r"))
        let collector = CollectingWriter()
        try await response.body.write(collector)
        let completion = try JSONDecoder().decode(ChatCompletion.self, from: Data(await collector.text.utf8))
        let content = try #require(completion.choices.first?.message.content)
        #expect(content == "Answer A has 3 words and answer B has 1; this simulated judge prefers the longer one. [[A]]")
        #expect(completion.usage?.completionTokens == content.split(separator: " ").count)
        #expect(completion.choices.first?.finishReason == "stop")

        let limited = body.replacingOccurrences(of: #""model":"judge","#, with: #""model":"judge","max_tokens":4,"#)
        let cut = try await SimulatorBackend().respond(to: BackendRequest(body: ByteBuffer(string: limited), requestID: "r"))
        let cutCollector = CollectingWriter()
        try await cut.body.write(cutCollector)
        let cutCompletion = try JSONDecoder().decode(ChatCompletion.self, from: Data(await cutCollector.text.utf8))
        #expect(cutCompletion.choices.first?.message.content == "Answer A has 3")
        #expect(cutCompletion.choices.first?.finishReason == "length")
    }
}
