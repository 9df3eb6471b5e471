import Arena
import ArgumentParser
import Gateway
import Logging

/// Options of the arena served by a gateway.
struct ArenaOptions: ParsableArguments {
    @Option(help: "SQLite file of arena battles and votes (created if missing; \":memory:\" keeps nothing).")
    var arenaDB: String = "switchyard-arena.sqlite"

    @Flag(help: "Do not serve the arena (/arena, /leaderboard, /arena/...).")
    var noArena = false

    @Flag(help: "Keep the text of arena conversations with their votes.")
    var arenaStoreConversations = false

    @Option(help: "Arena sampling weight of a model, as MODEL=WEIGHT (repeatable; unlisted models weigh 1).")
    var arenaWeight: [String] = []

    @Option(help: "Preferred arena opponents of a model, as MODEL=OTHER[,OTHER...] (repeatable).")
    var arenaTarget: [String] = []

    @Option(help: "Bootstrap rounds of the leaderboard's confidence intervals.")
    var arenaBootstrap: Int = 100

    @Option(help: "Reverse proxies in front of the gateway, as CIDR[,CIDR...] (repeatable): only behind them is X-Forwarded-For read to tell arena voters apart; otherwise a voter is the connection's address.")
    var arenaTrustedProxies: [String] = []

    @Option(help: "Arena votes each voter gains per minute (after the first --arena-vote-burst).")
    var arenaVotesPerMinute: Double = 10

    @Option(help: "Arena votes a voter may cast at once.")
    var arenaVoteBurst: Int = 20

    func validate() throws {
        for pair in try keyValues(arenaWeight, option: "--arena-weight") where Double(pair.value).map({ $0 >= 0 }) != true {
            throw ValidationError("--arena-weight \(pair.key)=\(pair.value): the weight must be a non-negative number.")
        }
        _ = try keyValues(arenaTarget, option: "--arena-target")
        if arenaBootstrap < 0 { throw ValidationError("--arena-bootstrap must not be negative.") }
        do {
            _ = try TrustedProxies(parsing: arenaTrustedProxies)
        } catch {
            throw ValidationError("--arena-trusted-proxies: \(error)")
        }
        if !(arenaVotesPerMinute.isFinite && arenaVotesPerMinute > 0) { throw ValidationError("--arena-votes-per-minute must be a positive number.") }
        if arenaVoteBurst < 1 { throw ValidationError("--arena-vote-burst must be at least 1.") }
    }

    /// The arena for a gateway, or nil when turned off.
    func makeArena(gateway: Gateway) throws -> Arena? {
        guard !noArena else { return nil }
        let weights = (try keyValues(arenaWeight, option: "")).reduce(into: [String: Double]()) { $0[$1.key] = Double($1.value) }
        let targets = (try keyValues(arenaTarget, option: "")).reduce(into: [String: [String]]()) {
            $0[$1.key] = $1.value.split(separator: ",").map(String.init)
        }
        let configuration = ArenaConfiguration(
            databasePath: arenaDB,
            storeConversations: arenaStoreConversations,
            samplingWeights: weights,
            battleTargets: targets,
            bootstrapRounds: arenaBootstrap,
            voteRate: VoteRate(perMinute: arenaVotesPerMinute, burst: arenaVoteBurst),
            trustedProxies: try TrustedProxies(parsing: arenaTrustedProxies)
        )
        let store: SQLiteArenaStore
        do {
            store = try SQLiteArenaStore(path: arenaDB)
        } catch {
            throw ValidationError("Cannot open the arena database \(arenaDB): \(error)")
        }
        return Arena(configuration: configuration, gateway: gateway, store: store, logger: Logger(label: "switchyard.arena"))
    }
}

/// Splits NAME=VALUE options, naming the option in the error.
func keyValues(_ values: [String], option: String) throws -> [(key: String, value: String)] {
    try values.map { text in
        let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw ValidationError("\(option) \(text): expected NAME=VALUE.")
        }
        return (parts[0], parts[1])
    }
}
