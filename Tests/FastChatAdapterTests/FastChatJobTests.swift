import Conversation
import Foundation
import NIOCore
import SwitchyardCore
import Testing

@testable import FastChatAdapter

@Suite struct FastChatJobTests {
    static let vicuna = ConversationTemplate(
        name: "vicuna_v1.1", systemMessage: "A chat.", roles: ["USER", "ASSISTANT"],
        separatorStyle: .addColonTwo, separator: " ", separator2: "</s>"
    )
    static let chatml = ConversationTemplate(
        name: "chatml", systemTemplate: "<|im_start|>system\n{system_message}", systemMessage: "You are helpful.",
        roles: ["<|im_start|>user", "<|im_start|>assistant"], separatorStyle: .chatML, separator: "<|im_end|>",
        stopString: .single("<|im_end|>"), stopTokenIDs: [2]
    )

    static func chat(_ json: String, template: ConversationTemplate = vicuna) throws -> FastChatJob {
        try FastChatJob(ByteBuffer(string: json), endpoint: .chatCompletions, template: template, servedModel: "served")
    }

    @Test func messagesBecomeFastChatsPrompt() throws {
        let job = try Self.chat(#"{"model":"m","messages":[{"role":"system","content":"Be terse."},{"role":"user","content":[{"type":"text","text":"Hello"},{"type":"text","text":"there"}]},{"role":"assistant","content":"Hi"},{"role":"user","content":"Bye"}],"stop":"END"}"#)
        #expect(job.prompts == ["Be terse. USER: Hello\nthere ASSISTANT: Hi</s>USER: Bye ASSISTANT:"])
        #expect(job.parameters.model == "served")
        #expect(job.parameters.temperature == 0.7)
        #expect(job.parameters.topK == -1)
        #expect(job.parameters.echo == false)
        #expect(job.parameters.stop == ["END"])
    }

    @Test func stopsMergeWithTheTemplatesAndTokenIDsCome() throws {
        let job = try Self.chat(#"{"model":"m","messages":[{"role":"user","content":"Hi"}],"stop":["X","<|im_end|>"]}"#, template: Self.chatml)
        #expect(job.prompts == ["<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"])
        #expect(job.parameters.stop == ["X", "<|im_end|>"])
        #expect(job.parameters.stopTokenIDs == [2])
    }

    @Test func whatATemplateCannotHoldIsA400WithItsParam() {
        for (json, param) in [
            (#"{"model":"m","messages":[{"role":"tool","content":"x","tool_call_id":"a"}]}"#, "messages[0].role"),
            (#"{"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"http://x"}}]}]}"#, "messages[0].content[0]"),
            (#"{"model":"m","messages":[{"role":"user","content":"a"},{"role":"assistant","content":null,"tool_calls":[]}]}"#, "messages[1].content"),
        ] {
            #expect(throws: OpenAIError.self) { try Self.chat(json) }
            do { _ = try Self.chat(json) } catch let error as OpenAIError {
                #expect(error.status == .badRequest)
                #expect(error.param == param)
            } catch { Issue.record("\(error)") }
        }
    }

    @Test func contextCheckClampsOrRefusesAsFastChat() throws {
        let job = try Self.chat(#"{"model":"m","messages":[{"role":"user","content":"Hi"}],"max_tokens":100,"n":2}"#)
        let generations = try job.generations(promptTokens: [30], contextLength: 64)
        #expect(generations.count == 2)
        #expect(generations.allSatisfy { $0.maxNewTokens == 34 })
        #expect(try job.generations(promptTokens: [10], contextLength: 2048).first?.maxNewTokens == 100)
        do {
            _ = try job.generations(promptTokens: [105], contextLength: 64)
            Issue.record("an overflowing prompt passed")
        } catch let error as OpenAIError {
            #expect(error.status == .badRequest)
            #expect(error.code == "context_length_exceeded")
            #expect(error.message.contains("64") && error.message.contains("105"))
        }
        // Hostile numbers from the worker: clamped, no trap.
        #expect(throws: OpenAIError.self) { try job.generations(promptTokens: [Int.max], contextLength: Int.min) }
        #expect(try job.generations(promptTokens: [Int.min], contextLength: Int.max).first?.maxNewTokens == 100)
    }

    @Test func completionsKeepPromptEchoAndFastChatsDefaultLength() throws {
        let job = try FastChatJob(
            ByteBuffer(string: #"{"model":"m","prompt":["a","b"],"echo":true,"logprobs":2}"#),
            endpoint: .completions, template: Self.vicuna, servedModel: "m"
        )
        #expect(job.prompts == ["a", "b"])
        #expect(job.parameters.echo)
        #expect(job.parameters.logprobs == 2)
        #expect(job.parameters.maxNewTokens == 16)
        #expect(throws: OpenAIError.self) {
            try FastChatJob(ByteBuffer(string: #"{"model":"m","prompt":[1,2,3]}"#), endpoint: .completions, template: Self.vicuna, servedModel: "m")
        }
    }
}
