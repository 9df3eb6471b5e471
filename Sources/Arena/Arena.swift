import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import Leaderboard
import Logging
import NIOCore
import Routing
import Synchronization
import SwitchyardCore

/// Chatbot-Arena-style evaluation on the gateway: anonymous battles between two served models,
/// votes, and the leaderboard computed from them.
public final class Arena: Sendable {
    public let configuration: ArenaConfiguration
    let gateway: Gateway
    let store: any ArenaStore
    let sampler: BattleSampler
    let logger: Logger
    /// Conversations of battles still going on, by battle id: what follow-up turns build on.
    /// Bounded by ``ArenaConfiguration/battleLimits``.
    private let conversations: Mutex<OpenBattles>
    /// Votes per voter (``voter(of:)``).
    private let voteLimiter: Mutex<VoteLimiter>
    /// The last leaderboard of each view (at most six) and the vote count it was computed from.
    private let lastLeaderboards = Mutex<[LeaderboardView: (votes: Int, board: Leaderboard)]>([:])
    /// Salts the pseudonymous voter ids, so they cannot be matched across arenas.
    private let judgeSalt = UInt64.random(in: .min ... .max)

    public init(configuration: ArenaConfiguration, gateway: Gateway, store: any ArenaStore, logger: Logger) {
        self.configuration = configuration
        self.gateway = gateway
        self.store = store
        self.sampler = BattleSampler(weights: configuration.samplingWeights, targets: configuration.battleTargets)
        self.logger = logger
        self.conversations = Mutex(OpenBattles(limits: configuration.battleLimits))
        self.voteLimiter = Mutex(VoteLimiter(rate: configuration.voteRate))
    }

    /// Both sides' messages so far, in OpenAI's shape.
    struct BattleConversation: Sendable {
        var modelA: String
        var modelB: String
        var messagesA: [ChatMessage]
        var messagesB: [ChatMessage]
        var turns: Int
        /// Completion tokens of each side's answers so far (reported, or estimated where not).
        var tokensA = 0
        var tokensB = 0

        /// Both sides' style over all their answers, as LMSYS counts it: markdown over the
        /// answers joined by newlines.
        var style: Battle.Style {
            func answers(_ messages: [ChatMessage]) -> String {
                messages.filter { $0.role == "assistant" }.map(\.content).joined(separator: "\n")
            }
            return Battle.Style(
                a: AnswerStyle(markdown: answers(messagesA), tokens: tokensA),
                b: AnswerStyle(markdown: answers(messagesB), tokens: tokensB)
            )
        }
    }

    func conversation(of id: String) -> BattleConversation? {
        conversations.withLock { $0[id] }
    }

    func save(_ conversation: BattleConversation, as id: String) {
        _ = conversations.withLock { $0.save(conversation, as: id) }
    }

    func cachedLeaderboard(_ view: LeaderboardView, votes: Int) -> Leaderboard? {
        lastLeaderboards.withLock { $0[view]?.votes == votes ? $0[view]?.board : nil }
    }

    func cache(_ board: Leaderboard, for view: LeaderboardView, votes: Int) {
        lastLeaderboards.withLock { $0[view] = (votes, board) }
    }

    func forget(_ id: String) {
        conversations.withLock { $0.remove(id) }
    }

    /// Who sent the request, as votes are counted: the connection's peer address, or with trusted
    /// proxies the client they forwarded for. Never a header a client can set on its own.
    func voter(of request: Request) -> String {
        configuration.trustedProxies.voter(
            peer: ConnectionPeer.address?.ipAddress,
            forwardedFor: request.headers[values: .xForwardedFor]
        )
    }

    /// Takes one of the voter's votes, or throws 429.
    func admitVote(from voter: String) throws {
        let decision = voteLimiter.withLock { $0.take(for: voter, now: .now) }
        if case .limited(let retryAfter) = decision {
            throw OpenAIError(
                status: .tooManyRequests,
                message: "Too many votes from this client; try again later.",
                type: "rate_limit_error",
                code: "rate_limit_exceeded",
                retryAfter: retryAfter
            )
        }
    }

    /// A stable pseudonym for a voter: a salted hash, so the stored votes hold no address.
    func judge(for voter: String) -> String {
        let identity = voter
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ judgeSalt
        for byte in identity.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return "arena_user_" + String(hash, radix: 16)
    }
}

/// One chat message as the arena keeps and sends it.
public struct ChatMessage: Codable, Sendable, Equatable {
    public var role: String
    public var content: String

    public init(role: String, content: String) {
        self.role = role
        self.content = content
    }
}

extension HTTPField.Name {
    static let xForwardedFor = HTTPField.Name("x-forwarded-for")!
}
