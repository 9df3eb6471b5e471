import Foundation
import SwitchyardCore
import Testing

/// Style control, judgment import and vote sources through the real `switchyard leaderboard`
/// and a real `up`: the page's JSON with the toggle and the vote source, and the style the arena
/// records with a live battle.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct ArenaStyleControlTests {
    /// An LLM judge's pairs on four questions (one with an "error" game) and two humans' votes on
    /// three of them.
    static let judgments = [
        #"{"question_id": 1, "model_1": "alpha", "model_2": "beta", "g1_winner": "model_1", "g2_winner": "model_1", "judge": ["sim-judge", "pair-v2"], "turn": 1, "tstamp": 1700000001}"#,
        #"{"question_id": 2, "model_1": "alpha", "model_2": "beta", "g1_winner": "model_2", "g2_winner": "model_1", "judge": ["sim-judge", "pair-v2"], "turn": 1, "tstamp": 1700000002}"#,
        #"{"question_id": 3, "model_1": "beta", "model_2": "alpha", "g1_winner": "model_1", "g2_winner": "model_1", "judge": ["sim-judge", "pair-v2"], "turn": 1, "tstamp": 1700000003}"#,
        #"{"question_id": 4, "model_1": "alpha", "model_2": "beta", "g1_winner": "error", "g2_winner": "model_1", "judge": ["sim-judge", "pair-v2"], "turn": 1, "tstamp": 1700000004}"#,
    ].joined(separator: "\n")
    static let humans = #"""
        [{"question_id": 1, "model_a": "beta", "model_b": "alpha", "winner": "model_b", "judge": "expert_0", "turn": 1},
         {"question_id": 2, "model_a": "alpha", "model_b": "beta", "winner": "tie", "judge": "expert_0", "turn": 1},
         {"question_id": 3, "model_a": "alpha", "model_b": "beta", "winner": "model_a", "judge": "expert_1", "turn": 1}]
        """#

    static func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func judgmentsStyleAndVoteSourcesEndToEnd() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("style-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let db = directory.appendingPathComponent("arena.sqlite").path
        let judged = directory.appendingPathComponent("sim-judge_pair.jsonl").path
        let human = directory.appendingPathComponent("human_judgments.json").path
        try Self.judgments.write(toFile: judged, atomically: true, encoding: .utf8)
        try Self.humans.write(toFile: human, atomically: true, encoding: .utf8)

        let first = try await SwitchyardProcess.run(["leaderboard", "--db", db, "--import-judgments", judged, "--bootstrap", "0"])
        #expect(first.status == 0, "\(first.errors)")
        #expect(first.errors.contains("imported 3 new judgments of 3"))
        #expect(first.errors.contains("1 with an \"error\" game dropped"))
        let again = try await SwitchyardProcess.run(["leaderboard", "--db", db, "--import-judgments", judged, "--bootstrap", "0"])
        #expect(again.errors.contains("imported 0 new judgments of 3"), "\(again.errors)")
        let withHumans = try await SwitchyardProcess.run(["leaderboard", "--db", db, "--import-judgments", human, "--bootstrap", "0"])
        #expect(withHumans.status == 0, "\(withHumans.errors)")
        // q1: both alpha; q2: tie vs tie; q3: judge beta, human alpha.
        #expect(withHumans.output.contains("llm:sim-judge agrees with humans on 3 pairs: 67% (2/3) with ties, 50% (1/2) without"), "\(withHumans.output)")
        let offline = try await SwitchyardProcess.run(["leaderboard", "--db", db, "--votes", "judge", "--style-control", "--bootstrap", "0", "--json"])
        #expect(offline.errors.contains("no battle between two models records the answers' style (3 without)"), "\(offline.errors)")
        let offlineBoard = try Self.json(offline.output)
        #expect(offlineBoard["votes"] as? String == "judge")
        #expect(offlineBoard["battles"] as? Int == 3)

        let process = try SwitchyardProcess(
            "up",
            ["up", "--port", "0", "--controller-port", "0", "--workers", "2", "--models", "alpha,beta",
             "--arena-db", db, "--arena-bootstrap", "5", "--sim-ttft", "0", "--sim-tokens-per-second", "0", "--sim-output-tokens", "3"]
        )
        let gateway = try await process.url(of: "gateway")
        try await eventually("the gateway serves both models") {
            let models = try await HTTP.get(gateway + "/v1/models").text
            return models.contains("\"alpha\"") && models.contains("\"beta\"")
        }
        let battle = try await ArenaAbuseTests.battle(gateway)
        #expect(try await HTTP.post(gateway + "/arena/battles/\(battle)/vote", json: #"{"winner":"tie"}"#).status == 200)

        let styled = try await HTTP.get(gateway + "/arena/leaderboard?votes=human&style_control=true")
        #expect(styled.status == 200, "\(styled.text)")
        let board = try Self.json(styled.text)
        #expect(board["votes"] as? String == "human")
        let style = try #require(board["style_control"] as? [String: Any])
        // The live battle records style; the three imported human votes do not.
        #expect(style["applied"] as? Bool == true)
        #expect(style["battles_without_style"] as? Int == 3)
        #expect(board["battles"] as? Int == 1)
        let agreement = try #require((board["agreement"] as? [[String: Any]])?.first)
        #expect(agreement["judge"] as? String == "llm:sim-judge")
        #expect((agreement["with_ties"] as? [String: Any])?["agree"] as? Int == 2)

        let judges = try Self.json(try await HTTP.get(gateway + "/arena/leaderboard?votes=judge").text)
        #expect(judges["battles"] as? Int == 3)
        #expect(judges["style_control"] == nil)
        let all = try Self.json(try await HTTP.get(gateway + "/arena/leaderboard").text)
        #expect(all["battles"] as? Int == 7)

        for (query, parameter) in [("votes=robots", "votes"), ("style_control=maybe", "style_control")] {
            let refused = try await HTTP.get(gateway + "/arena/leaderboard?" + query)
            #expect(refused.status == 400)
            let error = try #require(try Self.json(refused.text)["error"] as? [String: Any])
            #expect(error["param"] as? String == parameter)
            #expect(error["code"] as? String == "invalid_value")
        }

        // The live battle's style goes out in FastChat's conv_metadata, with the simulator's
        // reported completion tokens (3 per answer).
        let exported = directory.appendingPathComponent("export.jsonl").path
        let export = try await SwitchyardProcess.run(["leaderboard", "--db", db, "--export", exported, "--bootstrap", "0"])
        #expect(export.status == 0, "\(export.errors)")
        let lines = try String(contentsOfFile: exported, encoding: .utf8).split(separator: "\n")
        let live = try #require(try lines.map { try Self.json(String($0)) }.first { $0["question_id"] as? String == battle })
        let metadata = try #require(live["conv_metadata"] as? [String: Any])
        #expect(metadata["sum_assistant_a_tokens"] as? Int == 3)
        #expect(metadata["sum_assistant_b_tokens"] as? Int == 3)
        #expect((metadata["header_count_a"] as? [String: Int])?.count == 6)
        #expect((metadata["bold_count_b"] as? [String: Int])?.keys.sorted() == ["**", "__"])
    }
}
