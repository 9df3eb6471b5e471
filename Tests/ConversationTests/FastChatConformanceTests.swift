import Conversation
import Foundation
import Testing

/// FastChat's own renderings (Scripts/conversation-fixtures.py) against ours, byte for byte.
@Suite struct FastChatConformanceTests {
    struct Corpus: Decodable {
        struct Conversation: Decodable {
            var system: String?
            var turns: [String]
            var open: Bool
        }

        var templates: [String: ConversationTemplate]
        var conversations: [Conversation]
        var prompts: [String: [String?]]
    }

    static func corpus(_ file: String) throws -> Corpus {
        let directory = try #require(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        return try JSONDecoder().decode(Corpus.self, from: Data(contentsOf: directory.appendingPathComponent(file)))
    }

    /// The template with `conversation` appended as FastChat's API server does it.
    static func rendered(_ template: ConversationTemplate, _ conversation: Corpus.Conversation) -> [UInt8]? {
        var template = template
        if let system = conversation.system {
            template.systemMessage = system
        }
        for (index, text) in conversation.turns.enumerated() {
            template.append(role: index % 2 == 0 ? template.userRole : template.assistantRole, text: text)
        }
        if conversation.open {
            template.append(role: template.assistantRole, text: nil)
        }
        return template.prompt().map { Array($0.utf8) }
    }

    /// Every template × conversation; returns how many prompts were compared.
    static func check(_ corpus: Corpus, sources: (String, ConversationTemplate) -> [ConversationTemplate]) -> Int {
        var compared = 0
        for (name, decoded) in corpus.templates.sorted(by: { $0.key < $1.key }) {
            let expected = corpus.prompts[name] ?? []
            #expect(expected.count == corpus.conversations.count, "\(name)")
            for template in sources(name, decoded) {
                for (conversation, prompt) in zip(corpus.conversations, expected) {
                    let ours = rendered(template, conversation)
                    #expect(ours == prompt.map { Array($0.utf8) }, "\(name): \(conversation.turns)")
                    compared += 1
                }
            }
        }
        return compared
    }

    @Test func releaseTemplatesRenderAsFastChat0236Does() throws {
        let corpus = try Self.corpus("fastchat-0.2.36.json")
        #expect(corpus.templates.count == 83)
        #expect(Set(ConversationTemplate.registeredNames) == Set(corpus.templates.keys))
        let compared = Self.check(corpus) { name, decoded in
            #expect(ConversationTemplate.named(name) == decoded, "\(name)")
            return [decoded] + [ConversationTemplate.named(name)].compactMap { $0 }
        }
        #expect(compared == 2 * 83 * corpus.conversations.count)
    }

    @Test func newerStylesRenderAsCurrentFastChatDoes() throws {
        let corpus = try Self.corpus("fastchat-current.json")
        let styles = Set(corpus.templates.values.compactMap(\.separatorStyle))
        #expect(styles == [.llama3, .gemma, .cllm, .default])
        let compared = Self.check(corpus) { _, decoded in [decoded] }
        #expect(compared == corpus.templates.count * corpus.conversations.count)
    }

    @Test func encodingRoundTripsThroughFastChatsShape() throws {
        for name in ConversationTemplate.registeredNames {
            let template = try #require(ConversationTemplate.named(name))
            let data = try JSONEncoder().encode(template)
            #expect(try JSONDecoder().decode(ConversationTemplate.self, from: data) == template, "\(name)")
        }
        let corpus = try Self.corpus("fastchat-current.json")
        for template in corpus.templates.values {
            let data = try JSONEncoder().encode(template)
            let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            #expect(object["system_message_vision"] != nil, "the newer styles are numbered as current FastChat numbers them")
            #expect(try JSONDecoder().decode(ConversationTemplate.self, from: data) == template)
        }
    }
}
