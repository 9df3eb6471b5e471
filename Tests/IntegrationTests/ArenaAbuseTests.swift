import Foundation
import SwitchyardCore
import Testing

/// The arena against stuffing and hoarding through a real `up`: forged `X-Forwarded-For` does not
/// make a client many voters, a battle takes one vote, and battles cannot hold megabytes.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct ArenaAbuseTests {
    static func startUp(_ extra: [String]) async throws -> (SwitchyardProcess, String) {
        let process = try SwitchyardProcess(
            "up",
            ["up", "--port", "0", "--controller-port", "0", "--workers", "2", "--models", "alpha,beta",
             "--arena-db", ":memory:", "--sim-ttft", "0", "--sim-tokens-per-second", "0", "--sim-output-tokens", "3"] + extra
        )
        let gateway = try await process.url(of: "gateway")
        try await eventually("the gateway serves both models") {
            let models = try await HTTP.get(gateway + "/v1/models").text
            return models.contains("\"alpha\"") && models.contains("\"beta\"")
        }
        return (process, gateway)
    }

    static func battle(_ gateway: String) async throws -> String {
        let reply = try await HTTP.post(gateway + "/arena/battles", json: #"{"messages":[{"role":"user","content":"which is better"}]}"#)
        #expect(reply.status == 200, "\(reply.text)")
        return try #require(try ArenaFlowTests.events(of: reply).battleID)
    }

    static func vote(_ gateway: String, on battle: String, forwardedFor: String) async throws -> HTTP.Reply {
        try await HTTP.post(gateway + "/arena/battles/\(battle)/vote", json: #"{"winner":"a"}"#, headers: ["x-forwarded-for": forwardedFor])
    }

    @Test func forgedForwardedForDoesNotMakeOneClientManyVoters() async throws {
        let (process, gateway) = try await Self.startUp(["--arena-vote-burst", "3", "--arena-votes-per-minute", "0.001"])
        var battles: [String] = []
        for _ in 0..<6 { battles.append(try await Self.battle(gateway)) }

        #expect(try await Self.vote(gateway, on: battles[0], forwardedFor: "10.0.0.1").status == 200)
        // A battle takes one vote, whoever claims to cast the second.
        #expect(try await Self.vote(gateway, on: battles[0], forwardedFor: "10.0.0.2").status == 409)
        #expect(try await Self.vote(gateway, on: battles[1], forwardedFor: "10.0.0.3").status == 200)
        // Every further vote from this connection's address is over its rate, whatever the header says.
        for (index, battle) in battles.dropFirst(2).enumerated() {
            let reply = try await Self.vote(gateway, on: battle, forwardedFor: "192.0.2.\(index), 198.51.100.\(index)")
            #expect(reply.status == 429, "\(reply.text)")
            #expect(reply.headers["retry-after"] != nil)
            let error = try reply.decode(OpenAIError.Body.self).error
            #expect(error.code == "rate_limit_exceeded")
        }
        let board = try #require(try await HTTP.get(gateway + "/arena/leaderboard").json() as? [String: Any])
        #expect(board["battles"] as? Int == 2)
        #expect(process.isRunning)
    }

    @Test func behindATrustedProxyTheForwardedClientIsTheVoter() async throws {
        let (process, gateway) = try await Self.startUp(["--arena-trusted-proxies", "127.0.0.0/8", "--arena-vote-burst", "1", "--arena-votes-per-minute", "0.001"])
        var battles: [String] = []
        for _ in 0..<4 { battles.append(try await Self.battle(gateway)) }
        #expect(try await Self.vote(gateway, on: battles[0], forwardedFor: "198.51.100.1").status == 200)
        #expect(try await Self.vote(gateway, on: battles[1], forwardedFor: "198.51.100.1").status == 429)
        #expect(try await Self.vote(gateway, on: battles[2], forwardedFor: "198.51.100.2").status == 200)
        // A client's own entry sits left of what the proxy appended: it changes nothing.
        #expect(try await Self.vote(gateway, on: battles[3], forwardedFor: "203.0.113.9, 198.51.100.2").status == 429)
        #expect(process.isRunning)
    }

    @Test func battlesCannotHoldMegabytes() async throws {
        let (process, gateway) = try await Self.startUp([])
        let huge = String(repeating: "x", count: 2 << 20)
        let tooBig = try await HTTP.post(gateway + "/arena/battles", json: #"{"messages":[{"role":"user","content":"\#(huge)"}]}"#)
        #expect(tooBig.status == 413, "\(tooBig.text.prefix(300))")
        #expect(try tooBig.decode(OpenAIError.Body.self).error.type == "invalid_request_error")

        let long = String(repeating: "y", count: 200 << 10)
        let tooLong = try await HTTP.post(gateway + "/arena/battles", json: #"{"messages":[{"role":"user","content":"\#(long)"}]}"#)
        #expect(tooLong.status == 400)
        #expect(try tooLong.decode(OpenAIError.Body.self).error.code == "battle_too_long")

        // A battle grown turn by turn is refused at its limit, and nothing of the refused turn is kept.
        let battle = try await Self.battle(gateway)
        // Many short words: the simulator's answers echo only a few, so the user turns fill the battle.
        let chunk = String(repeating: "z ", count: 30 << 10)
        var statuses: [Int] = []
        for _ in 0..<4 {
            let turn = try await HTTP.post(gateway + "/arena/battles", json: #"{"battle_id":"\#(battle)","messages":[{"role":"user","content":"\#(chunk)"}]}"#)
            statuses.append(turn.status)
        }
        #expect(statuses == [200, 200, 400, 400])
        // A battle takes at most 32 turns.
        let chat = try await Self.battle(gateway)
        var turns: [Int] = []
        for _ in 0..<32 {
            let turn = try await HTTP.post(gateway + "/arena/battles", json: #"{"battle_id":"\#(chat)","messages":[{"role":"user","content":"more"}]}"#)
            turns.append(turn.status)
        }
        #expect(turns == Array(repeating: 200, count: 31) + [400], "\(turns)")

        // The battle can still be voted on, and other battles go on.
        #expect(try await Self.vote(gateway, on: battle, forwardedFor: "10.9.9.9").status == 200)
        _ = try await Self.battle(gateway)
        #expect(process.isRunning)
    }
}
