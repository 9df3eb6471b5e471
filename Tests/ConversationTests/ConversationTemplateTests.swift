import Conversation
import Foundation
import Testing

@Suite struct ConversationTemplateTests {
    static func decode(_ json: String) throws -> ConversationTemplate {
        try JSONDecoder().decode(ConversationTemplate.self, from: Data(json.utf8))
    }

    @Test func decodesAWorkersAnswerAndIgnoresExtraKeys() throws {
        let template = try Self.decode(#"""
            {"name": "vicuna_v1.1", "system_template": "{system_message}", "system_message": "Be nice.",
             "roles": ["USER", "ASSISTANT"], "messages": [["USER", "Hi"], ["ASSISTANT", null]], "offset": 0,
             "sep_style": 2, "sep": " ", "sep2": "</s>", "stop_str": ["</s>", "USER:"], "stop_token_ids": [2],
             "extra": {"anything": true}}
            """#)
        #expect(template.separatorStyle == .addColonTwo)
        #expect(template.messages == [.init(role: "USER", text: "Hi"), .init(role: "ASSISTANT", text: nil)])
        #expect(template.stopStrings == ["</s>", "USER:"])
        #expect(template.stopTokenIDs == [2])
        #expect(template.prompt() == "Be nice. USER: Hi ASSISTANT:")
    }

    @Test func sepStyleIsReadInTheNumberingOfTheFastChatThatSentIt() throws {
        let release = try Self.decode(#"{"name": "x", "roles": ["a", "b"], "sep_style": 8}"#)
        #expect(release.separatorStyle == .chatGLM)
        let current = try Self.decode(#"{"name": "x", "roles": ["a", "b"], "sep_style": 8, "system_message_vision": ""}"#)
        #expect(current.separatorStyle == .llama3)
        #expect(SeparatorStyle(fastChatValue: 19, numbering: .release) == .yuan2)
        #expect(SeparatorStyle(fastChatValue: 20, numbering: .release) == nil)
        #expect(SeparatorStyle(fastChatValue: Int.min, numbering: .release) == nil)
        #expect(SeparatorStyle.gemma.fastChatValue(numbering: .release) == nil)
        for style in SeparatorStyle.allCases where style.isInRelease {
            let value = try #require(style.fastChatValue(numbering: .release))
            #expect(SeparatorStyle(fastChatValue: value, numbering: .release) == style)
        }
    }

    @Test func rejectsWhatNoFastChatSends() {
        #expect(throws: DecodingError.self) { try Self.decode(#"{"name": "x", "roles": ["a", "b"], "sep_style": 24, "system_message_vision": ""}"#) }
        #expect(throws: DecodingError.self) { try Self.decode(#"{"name": "x", "roles": ["only"], "sep_style": 1}"#) }
        #expect(throws: DecodingError.self) { try Self.decode(#"{"roles": ["a", "b"], "sep_style": 1}"#) }
        #expect(throws: DecodingError.self) { try Self.decode(#"{"name": "x", "roles": ["a", "b"], "sep_style": 1, "stop_str": 5}"#) }
    }

    @Test func apiOnlyTemplatesHaveNoPrompt() throws {
        let chatgpt = try #require(ConversationTemplate.named("chatgpt"))
        #expect(chatgpt.separatorStyle == nil)
        #expect(chatgpt.prompt() == nil)
    }

    @Test func registryHoldsFastChat0236sTemplates() {
        #expect(ConversationTemplate.registeredNames.count == 83)
        #expect(ConversationTemplate.registeredNames.first == "raw")
        #expect(ConversationTemplate.named("vicuna_v1.1")?.separatorStyle == .addColonTwo)
        #expect(ConversationTemplate.named("no-such-template") == nil)
    }
}
