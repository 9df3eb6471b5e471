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
    /// Bounded: past ``maxOpenBattles`` the least recently played are forgotten (their votes still count).
    private let conversations = Mutex<[String: BattleConversation]>([:])
    static let maxOpenBattles = 10_000
    /// The last leaderboard and the vote count it was computed from.
    private let lastLeaderboard = Mutex<(votes: Int, board: Leaderboard)?>(nil)
    /// Salts the pseudonymous voter ids, so they cannot be matched across arenas.
    private let judgeSalt = UInt64.random(in: .min ... .max)

    public init(configuration: ArenaConfiguration, gateway: Gateway, store: any ArenaStore, logger: Logger) {
        self.configuration = configuration
        self.gateway = gateway
        self.store = store
        self.sampler = BattleSampler(weights: configuration.samplingWeights, targets: configuration.battleTargets)
        self.logger = logger
    }

    /// Both sides' messages so far, in OpenAI's shape.
    struct BattleConversation: Sendable {
        var modelA: String
        var modelB: String
        var messagesA: [ChatMessage]
        var messagesB: [ChatMessage]
        var turns: Int
        var lastPlayed = ContinuousClock.now
    }

    func conversation(of id: String) -> BattleConversation? {
        conversations.withLock { $0[id] }
    }

    func save(_ conversation: BattleConversation, as id: String) {
        conversations.withLock { open in
            open[id] = conversation
            if open.count > Self.maxOpenBattles, let stalest = open.min(by: { $0.value.lastPlayed < $1.value.lastPlayed })?.key {
                open.removeValue(forKey: stalest)
            }
        }
    }

    func cachedLeaderboard(votes: Int) -> Leaderboard? {
        lastLeaderboard.withLock { $0?.votes == votes ? $0?.board : nil }
    }

    func cache(_ board: Leaderboard, votes: Int) {
        lastLeaderboard.withLock { $0 = (votes, board) }
    }

    func forget(_ id: String) {
        _ = conversations.withLock { $0.removeValue(forKey: id) }
    }

    /// A stable pseudonym for whoever sent the request: a salted hash of its API key, or of its address.
    func judge(for request: Request) -> String {
        let identity = request.headers[.authorization] ?? request.headers[.xForwardedFor] ?? "anonymous"
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
