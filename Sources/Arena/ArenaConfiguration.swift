/// How battles are drawn and where votes are kept.
public struct ArenaConfiguration: Sendable {
    /// SQLite file of battles and votes; created and migrated at start-up.
    public var databasePath: String
    /// Keep the conversations' text with the votes (off by default: votes need only model names).
    public var storeConversations: Bool
    /// Relative chance of a model being drawn; unlisted models weigh 1, weight 0 never fights.
    public var samplingWeights: [String: Double]
    /// Preferred opponents: a model listed here meets one of its targets half of the time.
    public var battleTargets: [String: [String]]
    /// Bootstrap rounds behind the leaderboard's confidence intervals.
    public var bootstrapRounds: Int
    /// How much of the open battles' conversations is kept.
    public var battleLimits: BattleLimits
    /// Votes per voter.
    public var voteRate: VoteRate
    /// Proxies whose `X-Forwarded-For` names the voter; by default the voter is the peer address.
    public var trustedProxies: TrustedProxies

    public init(
        databasePath: String = "switchyard-arena.sqlite",
        storeConversations: Bool = false,
        samplingWeights: [String: Double] = [:],
        battleTargets: [String: [String]] = [:],
        bootstrapRounds: Int = 100,
        battleLimits: BattleLimits = BattleLimits(),
        voteRate: VoteRate = VoteRate(),
        trustedProxies: TrustedProxies = .none
    ) {
        self.databasePath = databasePath
        self.storeConversations = storeConversations
        self.samplingWeights = samplingWeights
        self.battleTargets = battleTargets
        self.bootstrapRounds = bootstrapRounds
        self.battleLimits = battleLimits
        self.voteRate = voteRate
        self.trustedProxies = trustedProxies
    }
}
