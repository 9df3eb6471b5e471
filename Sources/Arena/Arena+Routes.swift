import Foundation
import Leaderboard
import Hummingbird
import NIOCore
import SwitchyardCore

extension Arena {
    /// The arena API and its two pages, served by the gateway.
    public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        router.post("arena/battles") { request, _ in
            try await self.battle(request)
        }
        router.post("arena/battles/:id/vote") { request, context in
            let id = try context.parameters.require("id")
            return try await self.vote(on: id, request: request)
        }
        router.get("arena/leaderboard") { request, _ in
            try Response.json(try await self.leaderboard(LeaderboardView(query: request.uri.queryParameters)))
        }
        router.get("arena") { _, _ in Self.page(ArenaPages.arena) }
        router.get("leaderboard") { _, _ in Self.page(ArenaPages.leaderboard) }
    }

    struct VoteRequest: Decodable {
        /// `a`, `b`, `tie` or `bothbad`.
        var winner: String
    }

    /// What a vote reveals.
    struct VoteResult: Encodable {
        var battleID: String
        var winner: Verdict
        var modelA: String
        var modelB: String

        enum CodingKeys: String, CodingKey {
            case winner
            case battleID = "battle_id"
            case modelA = "model_a"
            case modelB = "model_b"
        }
    }

    func vote(on id: String, request: Request) async throws -> Response {
        let body = try await request.decodeJSON(VoteRequest.self)
        guard let verdict = Verdict(button: body.winner) else {
            throw OpenAIError.badRequest(
                "Invalid value for 'winner': expected one of 'a', 'b', 'tie', 'bothbad'.",
                param: "winner",
                code: "invalid_value"
            )
        }
        let voter = voter(of: request)
        try admitVote(from: voter)
        let record: BattleRecord
        do {
            record = try await store.vote(on: id, winner: verdict, judge: judge(for: voter), at: Date())
        } catch ArenaError.unknownBattle {
            throw OpenAIError(status: .notFound, message: "No battle \(id) exists.", code: "battle_not_found")
        } catch ArenaError.alreadyVoted {
            throw OpenAIError(status: .conflict, message: "Battle \(id) already has a vote.", code: "already_voted")
        }
        forget(id)
        logger.info("vote recorded", metadata: ["battle_id": "\(id)", "winner": "\(verdict.rawValue)"])
        return try .json(VoteResult(battleID: id, winner: verdict, modelA: record.modelA, modelB: record.modelB))
    }

    static func page(_ html: String) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-cache"],
            body: .init(byteBuffer: ByteBuffer(string: html))
        )
    }
}

extension Arena {
    /// The leaderboard of one view over every vote so far, recomputed only when votes were added
    /// since; with the LLM judges' agreement with humans whenever both judged the same pairs.
    func leaderboard(_ view: LeaderboardView = LeaderboardView()) async throws -> Leaderboard {
        let votes = try await store.votes()
        if let cached = cachedLeaderboard(view, votes: votes.count) { return cached }
        // The fit and its bootstrap rounds are seconds of CPU on a big arena: on Swift's pool, not
        // on the event loop the request's connection is pinned to, which other connections share.
        let board = await withTaskExecutorPreference(globalConcurrentExecutor) { [configuration] in
            var board = await Leaderboard(
                battles: votes.filter(view.votes.includes).map(\.battle),
                configuration: LeaderboardConfiguration(bootstrapRounds: configuration.bootstrapRounds, styleControl: view.styleControl)
            )
            board.votes = view.votes.rawValue
            let agreement = JudgeAgreement.compute(votes.compactMap(\.agreementVote))
            board.agreement = agreement.isEmpty ? nil : agreement
            return board
        }
        cache(board, for: view, votes: votes.count)
        return board
    }
}
