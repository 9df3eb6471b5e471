/// Everything that decides a leaderboard besides the battles; the defaults are FastChat's,
/// except the anchor, which FastChat applies only when its reference model is present.
public struct LeaderboardConfiguration: Sendable, Equatable {
    /// 0 skips the bootstrap: every interval collapses to its rating.
    public var bootstrapRounds: Int
    public var seed: UInt64
    public var anchor: RatingAnchor?
    public var bradleyTerry: BradleyTerry
    public var elo: OnlineElo
    /// Fit with the answers' style as covariates (see ``StyleControlTable``) on the battles that
    /// carry it.
    public var styleControl: Bool

    public init(
        bootstrapRounds: Int = 100,
        seed: UInt64 = 0,
        anchor: RatingAnchor? = nil,
        bradleyTerry: BradleyTerry = .init(),
        elo: OnlineElo = .init(),
        styleControl: Bool = false
    ) {
        self.bootstrapRounds = bootstrapRounds
        self.seed = seed
        self.anchor = anchor
        self.bradleyTerry = bradleyTerry
        self.elo = elo
        self.styleControl = styleControl
    }
}
