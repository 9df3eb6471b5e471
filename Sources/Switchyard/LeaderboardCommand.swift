import Arena
import ArgumentParser
import Foundation
import Leaderboard

struct LeaderboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leaderboard",
        abstract: "Rank models from arena battles as Chatbot Arena does: Bradley–Terry with bootstrap intervals."
    )

    @Option(
        name: .customLong("import"),
        help: ArgumentHelp(
            "FastChat cleaned battles (JSON array or JSON lines). Records with \"anony\": false are skipped, as FastChat's leaderboard skips them.",
            valueName: "file"
        )
    )
    var importFile: String?

    @Option(help: ArgumentHelp("The arena's SQLite file (as given to --arena-db) to rank its votes; with --import, the log's votes are added to it first.", valueName: "file"))
    var db: String?

    @Option(help: ArgumentHelp("With --db: write its votes to this file as FastChat's cleaned battle log (JSON lines).", valueName: "file"))
    var export: String?

    @Option(help: ArgumentHelp("Bootstrap rounds for the 95% intervals; 0 skips them.", valueName: "n"))
    var bootstrap = 100

    @Option(help: ArgumentHelp("Seed of the bootstrap, and of the synthetic battles.", valueName: "n"))
    var seed: UInt64 = 0

    @Option(help: ArgumentHelp("Pin one model's rating, e.g. mixtral-8x7b-instruct-v0.1=1114 (FastChat's anchor).", valueName: "model=rating"))
    var anchor: String?

    @Flag(help: "Print the leaderboard JSON, as GET /arena/leaderboard serves it.")
    var json = false

    @Option(help: ArgumentHelp("Benchmark: rank this many seeded synthetic battles instead of a file and report the time taken.", valueName: "n"))
    var syntheticBattles: Int?

    @Option(help: ArgumentHelp("Models in the synthetic arena, rated evenly from 800 to 1300.", valueName: "m"))
    var syntheticModels = 50

    func validate() throws {
        let sources = [importFile != nil && db == nil, db != nil, syntheticBattles != nil].filter { $0 }.count
        guard sources == 1 else {
            throw ValidationError("Give one of --db FILE (optionally with --import FILE), --import FILE or --synthetic-battles N.")
        }
        if export != nil && db == nil { throw ValidationError("--export needs --db FILE.") }
        guard bootstrap >= 0 else { throw ValidationError("--bootstrap must be 0 or more.") }
        if let syntheticBattles {
            guard syntheticBattles > 0 else { throw ValidationError("--synthetic-battles must be positive.") }
            guard syntheticModels >= 2 else { throw ValidationError("--synthetic-models must be at least 2.") }
        }
        _ = try parsedAnchor()
    }

    func run() async throws {
        let battles: [Battle]
        let source: String
        if let syntheticBattles {
            battles = SyntheticArena.evenlySpaced(count: syntheticModels).battles(count: syntheticBattles, seed: seed)
            source = "\(syntheticBattles) synthetic battles"
        } else if let db {
            battles = try await Self.arenaVotes(db: db, importing: importFile, exportingTo: export).map(\.battle)
            source = db
        } else {
            battles = try Self.load(importFile!).map(\.battle)
            source = importFile!
        }
        let configuration = LeaderboardConfiguration(bootstrapRounds: bootstrap, seed: seed, anchor: try parsedAnchor())
        let started = ContinuousClock.now
        let board = await Leaderboard(battles: battles, configuration: configuration)
        let elapsed = ContinuousClock.now - started

        guard board.rows.count >= 2 else {
            throw LeaderboardInputError(description: "\(source) has battles between \(board.rows.count) model\(board.rows.count == 1 ? "" : "s"); a leaderboard needs at least two.")
        }
        if let anchor = configuration.anchor, board.anchor == nil {
            FileHandle.standardError.write(Data("note: \(anchor.model) has no battles; ratings are not anchored\n".utf8))
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(board), as: UTF8.self))
        } else {
            print(LeaderboardTable(board: board).render())
        }
        if syntheticBattles != nil {
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let line = String(
                format: "%d battles over %d models, fit + %d bootstrap rounds (with collapse and online Elo): %.3f s",
                battles.count, board.rows.count, bootstrap, seconds
            )
            // Keep standard output pure JSON when JSON was asked for.
            if json {
                FileHandle.standardError.write(Data((line + "\n").utf8))
            } else {
                print(line)
            }
        }
    }

    /// `MODEL=RATING`, split at the last `=` so model names may contain one.
    private func parsedAnchor() throws -> RatingAnchor? {
        guard let anchor else { return nil }
        guard let separator = anchor.lastIndex(of: "="),
            let rating = Double(anchor[anchor.index(after: separator)...]), rating.isFinite,
            separator != anchor.startIndex
        else {
            throw ValidationError("--anchor takes MODEL=RATING, e.g. mixtral-8x7b-instruct-v0.1=1114; got '\(anchor)'.")
        }
        return RatingAnchor(model: String(anchor[..<separator]), rating: rating)
    }

    /// The votes of an arena database, after adding a log's votes to it and before exporting them.
    private static func arenaVotes(db: String, importing log: String?, exportingTo export: String?) async throws -> [Vote] {
        guard log != nil || FileManager.default.fileExists(atPath: db) else {
            throw LeaderboardInputError(description: "\(db): no such file")
        }
        let store = try SQLiteArenaStore(path: db)
        if let log {
            let records = try load(log)
            let added = try await store.importVotes(records.enumerated().map { index, record in
                Vote(record, fallbackID: "\(URL(fileURLWithPath: log).lastPathComponent)#\(index)")
            })
            FileHandle.standardError.write(Data("imported \(added) new votes of \(records.count) from \(log)\n".utf8))
        }
        let votes = try await store.votes()
        if let export {
            try FastChatBattle.encodeLines(votes.map(\.fastChatRecord)).write(to: URL(fileURLWithPath: export))
            FileHandle.standardError.write(Data("exported \(votes.count) votes to \(export)\n".utf8))
        }
        return votes
    }

    private static func load(_ path: String) throws -> [FastChatBattle] {
        guard FileManager.default.fileExists(atPath: path) else {
            throw LeaderboardInputError(description: "\(path): no such file")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw LeaderboardInputError(description: "\(path): cannot read: \(error.localizedDescription)")
        }
        do {
            return try FastChatBattle.decode(data).filter { $0.anony != false }
        } catch {
            throw LeaderboardInputError(description: "\(path): \(error)")
        }
    }
}

/// Bad input, reported as one line without the usage text a `ValidationError` adds.
private struct LeaderboardInputError: Error, CustomStringConvertible {
    var description: String
}

/// The terminal table: FastChat's columns, the interval shown as FastChat shows it.
struct LeaderboardTable {
    var board: Leaderboard

    func render() -> String {
        let header = ["RANK", "MODEL", "RATING", "95% CI", "BATTLES", "ONLINE ELO"]
        let rows = board.rows.map { row in
            [
                String(row.rank),
                row.model,
                Self.integer(row.rating),
                Self.interval(row),
                String(row.battles),
                Self.integer(row.onlineElo),
            ]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                // The model name reads left to right; numbers line up on the right.
                return column == 1 ? cell + padding : padding + cell
            }.joined(separator: "  ")
        }
        var lines = [line(header)] + rows.map(line)
        lines.append("")
        var summary = "\(board.battles) battles, \(board.rows.count) models, \(board.bootstrapRounds) bootstrap rounds (seed \(board.seed))"
        if let anchor = board.anchor { summary += ", anchored at \(anchor.model) = \(Self.integer(anchor.rating))" }
        lines.append(summary)
        return lines.joined(separator: "\n")
    }

    /// FastChat's `+round(q975 − rating)/−round(rating − q025)`, signed properly when few
    /// bootstrap rounds leave the rating outside its own interval.
    private static func interval(_ row: Leaderboard.Row) -> String {
        func signed(_ value: Double, _ sign: Character) -> String {
            let rounded = Int(value.rounded(.toNearestOrEven))
            return rounded < 0 ? (sign == "+" ? "-" : "+") + String(-rounded) : String(sign) + String(rounded)
        }
        return signed(row.upper - row.rating, "+") + "/" + signed(row.rating - row.lower, "-")
    }

    /// Python's `round`, which FastChat's tables use: halves go to the even neighbour.
    private static func integer(_ value: Double) -> String {
        String(Int(value.rounded(.toNearestOrEven)))
    }
}
