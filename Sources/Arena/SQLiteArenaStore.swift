import Foundation
import Leaderboard
import GRDB

/// The arena's SQLite file, created and migrated when opened.
public struct SQLiteArenaStore: ArenaStore {
    private let database: DatabaseQueue

    /// Opens (creating if needed) the database at `path`; `":memory:"` keeps it in memory.
    public init(path: String) throws {
        var configuration = Configuration()
        // Several processes may share one file (gateway replicas, the leaderboard command).
        configuration.busyMode = .timeout(5)
        database = path == ":memory:" ? try DatabaseQueue(configuration: configuration) : try DatabaseQueue(path: path, configuration: configuration)
        try Self.migrator.migrate(database)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("battles") { db in
            try db.create(table: "battle") { table in
                table.primaryKey("id", .text)
                table.column("model_a", .text).notNull()
                table.column("model_b", .text).notNull()
                table.column("created_at", .double).notNull()
                table.column("turns", .integer).notNull().defaults(to: 0)
                table.column("conversation_a", .text)
                table.column("conversation_b", .text)
                table.column("winner", .text)
                table.column("voted_at", .double)
                table.column("judge", .text)
            }
            try db.create(index: "battle_voted_at", on: "battle", columns: ["voted_at"])
        }
        // Style control and judge–human agreement: both answers' style (``AnswerStyle/storageText``)
        // and the question of imported judgments. Older battles keep NULL: they have neither.
        migrator.registerMigration("style-and-questions") { db in
            try db.alter(table: "battle") { table in
                table.add(column: "style_a", .text)
                table.add(column: "style_b", .text)
                table.add(column: "question_id", .text)
            }
        }
        return migrator
    }

    public func createBattle(_ battle: BattleRecord) async throws {
        try await database.write { db in
            try db.execute(
                sql: "INSERT INTO battle (id, model_a, model_b, created_at, turns) VALUES (?, ?, ?, ?, ?)",
                arguments: [battle.id, battle.modelA, battle.modelB, battle.createdAt.timeIntervalSince1970, battle.turns]
            )
        }
    }

    public func updateTurns(of id: String, turns: Int, conversations: (a: String, b: String)?, style: Battle.Style?) async throws {
        try await database.write { db in
            try db.execute(
                sql: "UPDATE battle SET turns = ?, conversation_a = ?, conversation_b = ?, style_a = ?, style_b = ? WHERE id = ?",
                arguments: [turns, conversations?.a, conversations?.b, style?.a.storageText, style?.b.storageText, id]
            )
        }
    }

    public func battle(_ id: String) async throws -> BattleRecord? {
        try await database.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM battle WHERE id = ?", arguments: [id]).map(Self.record)
        }
    }

    public func vote(on id: String, winner: Verdict, judge: String, at time: Date) async throws -> BattleRecord {
        try await database.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM battle WHERE id = ?", arguments: [id]) else {
                throw ArenaError.unknownBattle(id)
            }
            guard row["winner"] as String? == nil else { throw ArenaError.alreadyVoted(id) }
            try db.execute(
                sql: "UPDATE battle SET winner = ?, voted_at = ?, judge = ? WHERE id = ?",
                arguments: [winner.rawValue, time.timeIntervalSince1970, judge, id]
            )
            var record = Self.record(row)
            record.verdict = winner
            record.votedAt = time
            record.judge = judge
            return record
        }
    }

    public func votes() async throws -> [Vote] {
        try await database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM battle WHERE winner IS NOT NULL ORDER BY voted_at, id").compactMap { row in
                guard let verdict = Verdict(rawValue: row["winner"]) else { return nil }
                return Vote(
                    id: row["id"],
                    modelA: row["model_a"],
                    modelB: row["model_b"],
                    verdict: verdict,
                    time: Date(timeIntervalSince1970: row["voted_at"]),
                    judge: row["judge"] ?? "",
                    turns: row["turns"],
                    style: Self.style(row),
                    question: row["question_id"]
                )
            }
        }
    }

    public func importVotes(_ votes: [Vote]) async throws -> Int {
        try await database.write { db in
            var added = 0
            for vote in votes {
                try db.execute(
                    sql: """
                        INSERT OR IGNORE INTO battle
                        (id, model_a, model_b, created_at, turns, winner, voted_at, judge, style_a, style_b, question_id)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        vote.id, vote.modelA, vote.modelB, vote.time.timeIntervalSince1970, vote.turns,
                        vote.verdict.rawValue, vote.time.timeIntervalSince1970, vote.judge,
                        vote.style?.a.storageText, vote.style?.b.storageText, vote.question,
                    ]
                )
                added += db.changesCount
            }
            return added
        }
    }

    /// Both sides' style, when both were stored and read back.
    private static func style(_ row: Row) -> Battle.Style? {
        guard let a = (row["style_a"] as String?).flatMap(AnswerStyle.init(storageText:)),
            let b = (row["style_b"] as String?).flatMap(AnswerStyle.init(storageText:))
        else { return nil }
        return Battle.Style(a: a, b: b)
    }

    private static func record(_ row: Row) -> BattleRecord {
        BattleRecord(
            id: row["id"],
            modelA: row["model_a"],
            modelB: row["model_b"],
            createdAt: Date(timeIntervalSince1970: row["created_at"]),
            turns: row["turns"],
            verdict: (row["winner"] as String?).flatMap(Verdict.init(rawValue:)),
            votedAt: (row["voted_at"] as Double?).map(Date.init(timeIntervalSince1970:)),
            judge: row["judge"]
        )
    }
}
