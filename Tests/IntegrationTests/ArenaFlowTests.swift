import Foundation
import SwitchyardCore
import Testing

/// Battles and votes through a live gateway with two simulated models.
@Suite(.serialized, .timeLimit(.minutes(2)))
struct ArenaFlowTests {
    struct Events {
        var battleID: String?
        var text: [String: String] = [:]
        var done: Set<String> = []
        var errors: [String] = []
        var endedWithDone = false
    }

    static func events(of reply: HTTP.Reply) throws -> Events {
        var result = Events()
        for data in reply.events {
            if data == "[DONE]" {
                result.endedWithDone = true
                continue
            }
            let event = try #require(try JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any])
            let side = event["side"] as? String ?? ""
            switch event["type"] as? String {
            case "battle": result.battleID = event["battle_id"] as? String
            case "delta": result.text[side, default: ""] += event["content"] as? String ?? ""
            case "done": result.done.insert(side)
            case "error": result.errors.append("\(event)")
            default: Issue.record("unexpected event \(data)")
            }
        }
        return result
    }

    @Test func battleStreamsBothSidesAndAVoteRevealsTheModels() async throws {
        let controllerProcess = try SwitchyardProcess("controller", ["controller", "--port", "0", "--gateway-port", "0", "--arena-db", ":memory:"])
        let controller = try await controllerProcess.url(of: "controller")
        let gateway = try await controllerProcess.url(of: "gateway")
        let alpha = try CoreLoopTests.startWorker(controller: controller, model: "alpha")
        _ = try await alpha.url(of: "worker")

        let tooFew = try await HTTP.post(gateway + "/arena/battles", json: #"{"messages":[{"role":"user","content":"hi"}]}"#)
        #expect(tooFew.status == 503)
        #expect(tooFew.headers["retry-after"] != nil)

        let beta = try CoreLoopTests.startWorker(controller: controller, model: "beta")
        _ = try await beta.url(of: "worker")
        try await eventually("the gateway serves both models") {
            let models = try await HTTP.get(gateway + "/v1/models").text
            return models.contains("\"alpha\"") && models.contains("\"beta\"")
        }

        let first = try await HTTP.post(gateway + "/arena/battles", json: #"{"messages":[{"role":"user","content":"compare these answers"}]}"#)
        #expect(first.status == 200)
        #expect(first.headers["content-type"] == "text/event-stream")
        // The stream names no model.
        #expect(!first.text.contains("alpha") && !first.text.contains("beta"))
        let opening = try Self.events(of: first)
        let battleID = try #require(opening.battleID)
        #expect(opening.endedWithDone)
        #expect(opening.done == ["a", "b"])
        #expect(opening.errors.isEmpty)
        #expect(opening.text["a"]?.hasPrefix("compare these answers") == true)
        #expect(opening.text["b"]?.hasPrefix("compare these answers") == true)

        let followUp = try await HTTP.post(
            gateway + "/arena/battles",
            json: #"{"battle_id":"\#(battleID)","messages":[{"role":"user","content":"and now"}]}"#
        )
        let second = try Self.events(of: followUp)
        #expect(second.battleID == battleID)
        #expect(second.done == ["a", "b"])

        let badVote = try await HTTP.post(gateway + "/arena/battles/\(battleID)/vote", json: #"{"winner":"c"}"#)
        #expect(badVote.status == 400)
        let vote = try await HTTP.post(gateway + "/arena/battles/\(battleID)/vote", json: #"{"winner":"a"}"#)
        #expect(vote.status == 200)
        let reveal = try #require(try vote.json() as? [String: String])
        #expect(reveal["winner"] == "model_a")
        #expect(Set([reveal["model_a"], reveal["model_b"]]) == ["alpha", "beta"])

        let again = try await HTTP.post(gateway + "/arena/battles/\(battleID)/vote", json: #"{"winner":"b"}"#)
        #expect(again.status == 409)
        let unknown = try await HTTP.post(gateway + "/arena/battles/battle_nope/vote", json: #"{"winner":"b"}"#)
        #expect(unknown.status == 404)
        let afterVote = try await HTTP.post(
            gateway + "/arena/battles",
            json: #"{"battle_id":"\#(battleID)","messages":[{"role":"user","content":"more"}]}"#
        )
        #expect(afterVote.status == 404)

        let board = try #require(try await HTTP.get(gateway + "/arena/leaderboard").json() as? [String: Any])
        let rows = try #require(board["rows"] as? [[String: Any]])
        #expect(Set(rows.compactMap { $0["model"] as? String }) == ["alpha", "beta"])
        #expect(board["battles"] as? Int == 1)
        // The vote went to side a: its model ranks first.
        #expect(rows.first?["model"] as? String == reveal["model_a"])

        let page = try await HTTP.get(gateway + "/arena")
        #expect(page.status == 200)
        #expect(page.headers["content-type"]?.hasPrefix("text/html") == true)
    }

    @Test func leaderboardCommandImportsExportsAndRanksAnArenaDatabase() async throws {
        let scratch = SwitchyardProcess.logDirectory.appendingPathComponent("leaderboard-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let database = scratch.appendingPathComponent("arena.sqlite").path
        let exported = scratch.appendingPathComponent("export.jsonl").path
        let log = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("seeds/arena-battles.jsonl").path

        let first = try await SwitchyardProcess.run(["leaderboard", "--db", database, "--import", log, "--export", exported, "--bootstrap", "5", "--json"])
        #expect(first.status == 0)
        let board = try #require(try JSONSerialization.jsonObject(with: Data(first.output.utf8)) as? [String: Any])
        #expect(board["battles"] as? Int == 20_000)
        #expect((board["rows"] as? [[String: Any]])?.count == 8)
        let lines = try String(contentsOfFile: exported, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 20_000)

        // Importing the same log again adds nothing; the exported log ranks the same.
        let again = try await SwitchyardProcess.run(["leaderboard", "--db", database, "--import", log, "--bootstrap", "5", "--json"])
        let boardAgain = try #require(try JSONSerialization.jsonObject(with: Data(again.output.utf8)) as? [String: Any])
        #expect(boardAgain["battles"] as? Int == 20_000)
        let fromExport = try await SwitchyardProcess.run(["leaderboard", "--import", exported, "--bootstrap", "5", "--json"])
        let exportBoard = try #require(try JSONSerialization.jsonObject(with: Data(fromExport.output.utf8)) as? [String: Any])
        let ratings = { (board: [String: Any]) in (board["rows"] as? [[String: Any]] ?? []).map { $0["rating"] as? Double ?? 0 } }
        #expect(ratings(exportBoard) == ratings(board))

        let missing = try await SwitchyardProcess.run(["leaderboard", "--db", scratch.appendingPathComponent("none.sqlite").path])
        #expect(missing.status != 0)
    }

}
