import Foundation
import Leaderboard
import Testing

@Suite struct ConversationMetadataTests {
    @Test func readsLMSYSStyleCounts() throws {
        let line = #"{"model_a":"x","model_b":"y","winner":"tie","tstamp":1,"conv_metadata":{"sum_user_tokens":12,"sum_assistant_a_tokens":300,"context_a_tokens":20,"sum_assistant_b_tokens":100,"context_b_tokens":20,"turns":1,"header_count_a":{"h1":1,"h2":2,"h3":0,"h4":0,"h5":0,"h6":1},"list_count_a":{"ordered":3,"unordered":4},"bold_count_a":{"**":5,"__":1},"header_count_b":{"h1":0,"h2":0,"h3":0,"h4":0,"h5":0,"h6":0},"list_count_b":{"ordered":0,"unordered":0},"bold_count_b":{"**":0,"__":0}}}"#
        let battle = try #require(FastChatBattle.decode(Data(line.utf8)).first).battle
        let style = try #require(battle.style)
        #expect(style.a == AnswerStyle(tokens: 300, headers: [1, 2, 0, 0, 0, 1], orderedListItems: 3, unorderedListItems: 4, boldAsterisks: 5, boldUnderscores: 1))
        #expect(style.b == AnswerStyle(tokens: 100))
    }

    @Test func bareTotalsAreAcceptedAsLMSYSReadsThem() throws {
        let line = #"{"model_a":"x","model_b":"y","winner":"tie","tstamp":1,"conv_metadata":{"sum_assistant_a_tokens":3,"header_count_a":2,"list_count_a":1,"bold_count_a":4,"sum_assistant_b_tokens":5,"header_count_b":0,"list_count_b":0,"bold_count_b":0}}"#
        let style = try #require(FastChatBattle.decode(Data(line.utf8)).first?.battle.style)
        #expect(style.a.featureValues == [3, 2, 1, 4])
        #expect(style.b.featureValues == [5, 0, 0, 0])
    }

    @Test func partialOrMissingMetadataMeansNoStyle() throws {
        let partial = #"{"model_a":"x","model_b":"y","winner":"tie","tstamp":1,"conv_metadata":{"sum_user_tokens":12,"turns":1,"sum_assistant_a_tokens":3}}"#
        let none = #"{"model_a":"x","model_b":"y","winner":"tie","tstamp":1}"#
        let records = try FastChatBattle.decode(Data((partial + "\n" + none).utf8))
        #expect(records.map(\.battle.style) == [nil, nil])
    }

    @Test func hostileCountsAreRefusedWithTheLine() {
        for bad in [#""sum_assistant_a_tokens":-1"#, #""sum_assistant_a_tokens":99999999999"#, #""header_count_a":{"h1":-3}"#] {
            let line = #"{"model_a":"x","model_b":"y","winner":"tie","tstamp":1,"conv_metadata":{"# + bad + "}}"
            #expect {
                try FastChatBattle.decode(Data(("\n" + line).utf8))
            } throws: { error in
                (error as? FastChatBattle.FormatError)?.location == "line 2"
            }
        }
    }

    @Test func exportsRoundTrip() throws {
        let style = Battle.Style(
            a: AnswerStyle(tokens: 40, headers: [0, 1], orderedListItems: 2, unorderedListItems: 0, boldAsterisks: 1, boldUnderscores: 0),
            b: AnswerStyle(tokens: 9)
        )
        let battle = Battle(modelA: "x", modelB: "y", winner: .modelB, timestamp: 3, style: style)
        let data = try FastChatBattle.encodeLines([FastChatBattle(battle)])
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains(#""header_count_a":{"h1":0,"h2":1,"h3":0,"h4":0,"h5":0,"h6":0}"#))
        #expect(text.contains(#""bold_count_b":{"**":0,"__":0}"#))
        #expect(try FastChatBattle.decode(data).map(\.battle) == [battle])
    }
}
