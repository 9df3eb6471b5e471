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

    @Option(
        help: ArgumentHelp(
            "Pairwise judgments as arena votes of judge llm:<judge model>: FastChat's model_judgment/<judge>_pair.jsonl (a pair with an \"error\" game is dropped; games that disagree are a tie) or MT-Bench's human judgments. Imported once, however often given.",
            valueName: "file"
        )
    )
    var importJudgments: String?

    @Option(help: ArgumentHelp("The arena's SQLite file (as given to --arena-db) to rank its votes; with --import or --import-judgments, their votes are added to it first.", valueName: "file"))
    var db: String?

    @Option(help: ArgumentHelp("Rank people's votes (human), LLM judges' (judge, judge llm:<model>) or both (all).", valueName: "human|judge|all"))
    var votes: VoteSource = .all

    @Flag(help: "Bradley–Terry with the answers' length, headers, lists and bold as covariates (LMSYS's style control), on the battles that record them; prints the style coefficients.")
    var styleControl = false

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
        let files = importFile != nil || importJudgments != nil
        let sources = [files && db == nil, db != nil, syntheticBattles != nil].filter { $0 }.count
        guard sources == 1 else {
            throw ValidationError("Give one of --db FILE (optionally with --import FILE and --import-judgments FILE), --import FILE and/or --import-judgments FILE, or --synthetic-battles N.")
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
        var agreement: [JudgeAgreement] = []
        if let syntheticBattles {
            let arena = SyntheticArena.evenlySpaced(count: syntheticModels)
            battles = styleControl
                // Every model as long-winded as its rank: style control has something to take out.
                ? arena.styledBattles(count: syntheticBattles, seed: seed, answerTokens: arena.models.indices.map { 200 + 10 * Double($0) }, lengthEffect: 1)
                : arena.battles(count: syntheticBattles, seed: seed)
            source = "\(syntheticBattles) synthetic battles"
        } else {
            let all: [Vote]
            if let db {
                all = try await Self.arenaVotes(db: db, importing: importFile, judgments: importJudgments, exportingTo: export)
                source = db
            } else {
                all = try (importFile.map { try Self.load($0) } ?? []) + (importJudgments.map { try Self.loadJudgments($0).votes } ?? [])
                source = [importFile, importJudgments].compactMap { $0 }.joined(separator: " and ")
            }
            battles = all.filter(votes.includes).map(\.battle)
            agreement = JudgeAgreement.compute(all.compactMap(\.agreementVote))
        }
        let configuration = LeaderboardConfiguration(bootstrapRounds: bootstrap, seed: seed, anchor: try parsedAnchor(), styleControl: styleControl)
        let started = ContinuousClock.now
        var board = await Leaderboard(battles: battles, configuration: configuration)
        let elapsed = ContinuousClock.now - started
        if syntheticBattles == nil {
            board.votes = votes.rawValue
            board.agreement = agreement.isEmpty ? nil : agreement
        }
        if let summary = board.styleControl {
            if !summary.applied {
                Self.note("warning: no battle between two models records the answers' style (\(summary.battlesWithoutStyle) without); this is the plain Bradley–Terry leaderboard")
            } else if summary.battlesWithoutStyle > 0 {
                Self.note("warning: \(summary.battlesWithoutStyle) battles record no style and are left out of the style-controlled leaderboard")
            }
        }

        guard board.rows.count >= 2 else {
            throw LeaderboardInputError(description: "\(source) has battles between \(board.rows.count) model\(board.rows.count == 1 ? "" : "s"); a leaderboard needs at least two.")
        }
        if let anchor = configuration.anchor, board.anchor == nil {
            Self.note("note: \(anchor.model) has no battles; ratings are not anchored")
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
                Self.note(line)
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

    /// The votes of an arena database, after adding a log's and judgments' votes to it and before
    /// exporting them.
    private static func arenaVotes(db: String, importing log: String?, judgments: String?, exportingTo export: String?) async throws -> [Vote] {
        guard log != nil || judgments != nil || FileManager.default.fileExists(atPath: db) else {
            throw LeaderboardInputError(description: "\(db): no such file")
        }
        let store = try SQLiteArenaStore(path: db)
        if let log {
            let records = try load(log)
            let added = try await store.importVotes(records)
            note("imported \(added) new votes of \(records.count) from \(log)")
        }
        if let judgments {
            let (votes, summary) = try loadJudgments(judgments)
            let added = try await store.importVotes(votes)
            note("imported \(added) new judgments of \(votes.count) from \(judgments)\(summary)")
        }
        let votes = try await store.votes()
        if let export {
            try FastChatBattle.encodeLines(votes.map(\.fastChatRecord)).write(to: URL(fileURLWithPath: export))
            note("exported \(votes.count) votes to \(export)")
        }
        return votes
    }

    /// A FastChat log's anonymous votes; records without a `question_id` get an id from the
    /// file's name and their position.
    private static func load(_ path: String) throws -> [Vote] {
        do {
            return try FastChatBattle.decode(read(path)).enumerated().compactMap { index, record in
                record.anony == false ? nil : Vote(record, fallbackID: "\(URL(fileURLWithPath: path).lastPathComponent)#\(index)")
            }
        } catch let error as FastChatBattle.FormatError {
            throw LeaderboardInputError(description: "\(path): \(error)")
        }
    }

    /// A judgment file's votes, and what was left out, for the import note.
    private static func loadJudgments(_ path: String) throws -> (votes: [Vote], summary: String) {
        let log: JudgmentLog
        do {
            log = try JudgmentLog(decoding: read(path, limit: JudgmentLog.maxFileBytes))
        } catch let error as FastChatBattle.FormatError {
            throw LeaderboardInputError(description: "\(path): \(error)")
        }
        var left: [String] = []
        if log.droppedErrors > 0 { left.append("\(log.droppedErrors) with an \"error\" game dropped") }
        if log.duplicates > 0 { left.append("\(log.duplicates) repeated") }
        return (log.judgments.map(Vote.init), left.isEmpty ? "" : " (" + left.joined(separator: ", ") + ")")
    }

    private static func read(_ path: String, limit: Int? = nil) throws -> Data {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else {
            throw LeaderboardInputError(description: "\(path): no such file")
        }
        if let limit, let size = attributes[.size] as? Int, size > limit {
            throw LeaderboardInputError(description: "\(path): \(size) bytes, more than the \(limit) a file may have")
        }
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw LeaderboardInputError(description: "\(path): cannot read: \(error.localizedDescription)")
        }
    }

    private static func note(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

extension VoteSource: ExpressibleByArgument {}

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
        if let votes = board.votes, votes != VoteSource.all.rawValue { summary += ", \(votes) votes only" }
        lines.append(summary)
        if let style = board.styleControl, style.applied {
            lines.append("style controlled; coefficients (log-odds per standard deviation, 95% CI):")
            for coefficient in style.coefficients {
                let name = coefficient.feature.rawValue.padding(toLength: 22, withPad: " ", startingAt: 0)
                lines.append("  " + name + String(format: "%+.3f  [%+.3f, %+.3f]", coefficient.value, coefficient.lower, coefficient.upper))
            }
        }
        for agreement in board.agreement ?? [] {
            lines.append("\(agreement.judge) agrees with humans on \(agreement.pairs) pairs: " + Self.rate(agreement.withTies) + " with ties, " + Self.rate(agreement.withoutTies) + " without")
        }
        return lines.joined(separator: "\n")
    }

    /// `66% (201/305)`, or `n/a (0/0)`.
    private static func rate(_ rate: JudgeAgreement.Rate) -> String {
        (rate.rate.map { String(format: "%.0f%%", $0 * 100) } ?? "n/a") + " (\(rate.agree)/\(rate.total))"
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
