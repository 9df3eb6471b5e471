import Hummingbird
import SwitchyardCore

/// What `GET /arena/leaderboard` is asked to rank: `?votes=human|judge|all` (default `all`) and
/// `?style_control=true|false` (default `false`).
public struct LeaderboardView: Sendable, Hashable {
    public var votes: VoteSource
    public var styleControl: Bool

    public init(votes: VoteSource = .all, styleControl: Bool = false) {
        self.votes = votes
        self.styleControl = styleControl
    }

    /// Reads the query; an unknown value is a 400 naming the parameter.
    init(query: Parameters) throws {
        self.init()
        if let votes = query["votes"] {
            guard let source = VoteSource(rawValue: String(votes)) else {
                throw OpenAIError.badRequest("Invalid value for 'votes': expected one of 'human', 'judge', 'all'.", param: "votes", code: "invalid_value")
            }
            self.votes = source
        }
        if let flag = query["style_control"] {
            switch flag {
            case "true", "1": styleControl = true
            case "false", "0": styleControl = false
            default:
                throw OpenAIError.badRequest("Invalid value for 'style_control': expected 'true' or 'false'.", param: "style_control", code: "invalid_value")
            }
        }
    }
}
