import Foundation
import Leaderboard
import Testing

@Suite struct FastChatBattleTests {
    @Test func aFastChatLineWithExtraKeysDecodes() throws {
        let line = """
            {"question_id": "f2c7b3b8a1e94c0d", "model_a": "vicuna-13b", "model_b": "alpaca-13b", "winner": "tie (bothbad)", \
            "judge": "arena_user_1234", "conversation_a": [{"role": "user", "content": "hi"}], "turn": 1, "anony": true, \
            "language": "English", "tstamp": 1682351591.1322, "num_tokens_info": {"num_tokens_a": 12}, "is_code": false}
            """
        let records = try FastChatBattle.decode(Data(line.utf8))
        #expect(records == [
            FastChatBattle(
                modelA: "vicuna-13b", modelB: "alpaca-13b", winner: .tieBothBad, tstamp: 1682351591.1322,
                anony: true, judge: "arena_user_1234", turn: 1, language: "English", questionID: "f2c7b3b8a1e94c0d"
            ),
        ])
        #expect(records[0].battle == Battle(modelA: "vicuna-13b", modelB: "alpaca-13b", winner: .tieBothBad, timestamp: 1682351591.1322))
    }

    @Test func linesRoundTrip() throws {
        let records = [
            FastChatBattle(modelA: "a", modelB: "b", winner: .modelA, tstamp: 1.5, anony: true, judge: "j", turn: 2, language: "German", questionID: "q1"),
            FastChatBattle(Battle(modelA: "b", modelB: "c", winner: .tie, timestamp: 2)),
            FastChatBattle(Battle(modelA: "c", modelB: "a", winner: .modelB, timestamp: 3)),
        ]
        let data = try FastChatBattle.encodeLines(records)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.split(separator: "\n").count == 3)
        #expect(text.hasPrefix(#"{"anony":true,"judge":"j","language":"German","model_a":"a","model_b":"b","question_id":"q1","tstamp":1.5,"turn":2,"winner":"model_a"}"#))
        #expect(try FastChatBattle.decode(data) == records)
        #expect(records.map(\.battle).map(FastChatBattle.init) == [records[0].battle, records[1].battle, records[2].battle].map(FastChatBattle.init))
    }

    @Test func aJSONArrayDecodes() throws {
        let array = #"  [{"model_a":"a","model_b":"b","winner":"model_b","tstamp":1},{"model_a":"b","model_b":"a","winner":"tie","tstamp":2,"anony":false}]"#
        let records = try FastChatBattle.decode(Data(array.utf8))
        #expect(records.map(\.winner) == [.modelB, .tie])
        #expect(records.map(\.anony) == [nil, false])
    }

    @Test func blankLinesAreSkippedAndBadLinesNamed() throws {
        let good = #"{"model_a":"a","model_b":"b","winner":"model_a","tstamp":1}"#
        #expect(try FastChatBattle.decode(Data("\n\(good)\r\n\n\(good)\n".utf8)).count == 2)

        let wrongWinner = "\(good)\n\n" + #"{"model_a":"a","model_b":"b","winner":"left","tstamp":1}"#
        let badWinner = #expect(throws: FastChatBattle.FormatError.self) { try FastChatBattle.decode(Data(wrongWinner.utf8)) }
        #expect(badWinner?.location == "line 3")
        #expect(badWinner?.reason.contains("winner") == true)

        let notJSON = #expect(throws: FastChatBattle.FormatError.self) { try FastChatBattle.decode(Data("\(good)\n{not json".utf8)) }
        #expect(notJSON?.description.hasPrefix("line 2: ") == true)

        let array = "[\(good), {\"model_a\":\"a\",\"winner\":\"tie\",\"tstamp\":1}]"
        let missing = #expect(throws: FastChatBattle.FormatError.self) { try FastChatBattle.decode(Data(array.utf8)) }
        #expect(missing?.description == "record 2: missing key 'model_b'")
    }
}
