import Foundation

/// One record of FastChat's cleaned battle files (`clean_battle_*.json`), the format the public
/// arena dumps use, so their votes can be imported and ours exported.
///
/// Only the fields the leaderboard needs are kept; everything else in a record (conversations,
/// token counts, category tags) is ignored on decoding.
public struct FastChatBattle: Sendable, Equatable, Codable {
    public var modelA: String
    public var modelB: String
    public var winner: Battle.Winner
    public var tstamp: Double
    /// FastChat's leaderboard counts only anonymous battles: a named model biases the vote.
    public var anony: Bool?
    public var judge: String?
    public var turn: Int?
    public var language: String?
    public var questionID: String?

    public init(
        modelA: String,
        modelB: String,
        winner: Battle.Winner,
        tstamp: Double,
        anony: Bool? = nil,
        judge: String? = nil,
        turn: Int? = nil,
        language: String? = nil,
        questionID: String? = nil
    ) {
        self.modelA = modelA
        self.modelB = modelB
        self.winner = winner
        self.tstamp = tstamp
        self.anony = anony
        self.judge = judge
        self.turn = turn
        self.language = language
        self.questionID = questionID
    }

    public init(_ battle: Battle) {
        self.init(modelA: battle.modelA, modelB: battle.modelB, winner: battle.winner, tstamp: battle.timestamp)
    }

    public var battle: Battle {
        Battle(modelA: modelA, modelB: modelB, winner: winner, timestamp: tstamp)
    }

    enum CodingKeys: String, CodingKey {
        case winner, tstamp, anony, judge, turn, language
        case modelA = "model_a"
        case modelB = "model_b"
        case questionID = "question_id"
    }

    /// A record that could not be read, with where it is, so a bad line in a million can be found.
    public struct FormatError: Error, Equatable, CustomStringConvertible {
        /// "line 7" for JSON lines, "record 7" (1-based) for a JSON array.
        public var location: String
        public var reason: String

        public var description: String { "\(location): \(reason)" }
    }

    /// Reads a JSON array (FastChat's dumps) or JSON lines (our exports, appendable logs); the
    /// first non-blank character tells which. Blank lines are skipped.
    public static func decode(_ data: Data) throws(FormatError) -> [FastChatBattle] {
        let decoder = JSONDecoder()
        let first = data.first { !isBlank($0) }
        if first == UInt8(ascii: "[") {
            do {
                return try decoder.decode([FastChatBattle].self, from: data)
            } catch {
                throw describe(error, lineNumber: nil)
            }
        }
        var records: [FastChatBattle] = []
        for (offset, line) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            guard line.contains(where: { !isBlank($0) }) else { continue }
            do {
                records.append(try decoder.decode(FastChatBattle.self, from: line))
            } catch {
                throw describe(error, lineNumber: offset + 1)
            }
        }
        return records
    }

    /// One record per line, keys sorted, so exports diff cleanly.
    public static func encodeLines(_ records: [FastChatBattle]) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var output = Data()
        for record in records {
            output.append(try encoder.encode(record))
            output.append(UInt8(ascii: "\n"))
        }
        return output
    }

    private static func describe(_ error: any Error, lineNumber: Int?) -> FormatError {
        guard let error = error as? DecodingError else {
            return FormatError(location: lineNumber.map { "line \($0)" } ?? "JSON array", reason: "\(error)")
        }
        var path: [any CodingKey]
        let reason: String
        switch error {
        case .keyNotFound(let key, let context):
            path = context.codingPath
            reason = "missing key '\(key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            path = context.codingPath
            reason = "wrong type for '\(path.last?.stringValue ?? "")': \(context.debugDescription)"
        case .dataCorrupted(let context):
            path = context.codingPath
            reason = path.last.map { "bad value for '\($0.stringValue)': \(context.debugDescription)" } ?? "not valid JSON"
        @unknown default:
            path = []
            reason = "\(error)"
        }
        if let lineNumber { return FormatError(location: "line \(lineNumber)", reason: reason) }
        // In an array the first path element is the record's index.
        guard let index = path.first?.intValue else { return FormatError(location: "JSON array", reason: reason) }
        path.removeFirst()
        return FormatError(location: "record \(index + 1)", reason: reason)
    }
}

/// JSON's insignificant whitespace.
private func isBlank(_ byte: UInt8) -> Bool {
    byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
}
