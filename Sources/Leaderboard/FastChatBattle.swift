import Foundation

/// One record of FastChat's cleaned battle files (`clean_battle_*.json`), the format the public
/// arena dumps use, so their votes can be imported and ours exported.
///
/// Only the fields the leaderboard needs are kept (of `conv_metadata`, the style counts);
/// everything else in a record (conversations, category tags) is ignored on decoding.
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
    /// Both answers' length and markdown counts, when the log has them (LMSYS's style control).
    public var convMetadata: ConversationMetadata?

    public init(
        modelA: String,
        modelB: String,
        winner: Battle.Winner,
        tstamp: Double,
        anony: Bool? = nil,
        judge: String? = nil,
        turn: Int? = nil,
        language: String? = nil,
        questionID: String? = nil,
        convMetadata: ConversationMetadata? = nil
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
        self.convMetadata = convMetadata
    }

    public init(_ battle: Battle) {
        self.init(modelA: battle.modelA, modelB: battle.modelB, winner: battle.winner, tstamp: battle.timestamp, convMetadata: battle.style.map(ConversationMetadata.init))
    }

    public var battle: Battle {
        Battle(modelA: modelA, modelB: modelB, winner: winner, timestamp: tstamp, style: convMetadata?.style)
    }

    enum CodingKeys: String, CodingKey {
        case winner, tstamp, anony, judge, turn, language
        case modelA = "model_a"
        case modelB = "model_b"
        case questionID = "question_id"
        case convMetadata = "conv_metadata"
    }

    /// A record that could not be read, with where it is, so a bad line in a million can be found.
    public struct FormatError: Error, Equatable, CustomStringConvertible {
        /// "line 7" for JSON lines, "record 7" (1-based) for a JSON array.
        public var location: String
        public var reason: String

        public var description: String { "\(location): \(reason)" }

        public init(location: String, reason: String) {
            self.location = location
            self.reason = reason
        }
    }

    /// Reads a JSON array (FastChat's dumps) or JSON lines (our exports, appendable logs); the
    /// first non-blank character tells which. Blank lines are skipped.
    public static func decode(_ data: Data) throws(FormatError) -> [FastChatBattle] {
        try JSONRecords.decode(data) { (record: FastChatBattle) in record }
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
}
