/// The style part of a FastChat battle record's `conv_metadata`, in the shape LMSYS's
/// `add_markdown_info.py` writes and `rating_systems.py` reads:
/// `{"sum_assistant_a_tokens": 312, "header_count_a": {"h1": 0, …, "h6": 0},
///   "list_count_a": {"ordered": 3, "unordered": 0}, "bold_count_a": {"**": 2, "__": 0}, …_b}`.
///
/// Other keys (`sum_user_tokens`, `turns`, …) are ignored. As in LMSYS's reader a count may also
/// be a bare number (the total). Counts are hostile input: a negative one or one above
/// ``AnswerStyle/maxCount`` is refused.
public struct ConversationMetadata: Sendable, Equatable, Codable {
    public var a: Side
    public var b: Side

    /// One answer's counts; every one may be missing in a partial record.
    public struct Side: Sendable, Equatable {
        public var tokens: Int?
        /// `h1`…`h6`, or `["total": n]` when the record gave a bare number.
        public var headers: [String: Int]?
        public var lists: [String: Int]?
        public var bold: [String: Int]?
    }

    public init(_ style: Battle.Style) {
        a = Side(style.a)
        b = Side(style.b)
    }

    /// Both answers' style, or `nil` unless every count of both is present.
    public var style: Battle.Style? {
        guard let a = a.style, let b = b.style else { return nil }
        return Battle.Style(a: a, b: b)
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
        init(_ name: String, _ side: String) { stringValue = name + "_" + side }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        func side(_ name: String) throws -> Side {
            Side(
                tokens: try Self.count(container, Key(stringValue: "sum_assistant_\(name)_tokens")),
                headers: try Self.counts(container, Key("header_count", name)),
                lists: try Self.counts(container, Key("list_count", name)),
                bold: try Self.counts(container, Key("bold_count", name))
            )
        }
        a = try side("a")
        b = try side("b")
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        for (name, side) in [("a", a), ("b", b)] {
            try container.encodeIfPresent(side.tokens, forKey: Key(stringValue: "sum_assistant_\(name)_tokens"))
            try container.encodeIfPresent(side.headers, forKey: Key("header_count", name))
            try container.encodeIfPresent(side.lists, forKey: Key("list_count", name))
            try container.encodeIfPresent(side.bold, forKey: Key("bold_count", name))
        }
    }

    private static func count(_ container: KeyedDecodingContainer<Key>, _ key: Key) throws -> Int? {
        guard let value = try container.decodeIfPresent(Int.self, forKey: key) else { return nil }
        guard (0...AnswerStyle.maxCount).contains(value) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "a count must be between 0 and \(AnswerStyle.maxCount)")
        }
        return value
    }

    /// A dictionary of counts, or a bare total.
    private static func counts(_ container: KeyedDecodingContainer<Key>, _ key: Key) throws -> [String: Int]? {
        guard container.contains(key), try !container.decodeNil(forKey: key) else { return nil }
        let values: [String: Int]
        if let total = try? container.decode(Int.self, forKey: key) {
            values = ["total": total]
        } else {
            values = try container.decode([String: Int].self, forKey: key)
        }
        // A handful of keys in FastChat's records; anything bigger is not one of them.
        guard values.count <= 16, values.values.allSatisfy({ (0...AnswerStyle.maxCount).contains($0) }) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "at most 16 counts, each between 0 and \(AnswerStyle.maxCount)")
        }
        return values
    }
}

extension ConversationMetadata.Side {
    init(_ style: AnswerStyle) {
        tokens = style.tokens
        headers = Dictionary(uniqueKeysWithValues: style.headers.enumerated().map { ("h\($0 + 1)", $1) })
        lists = ["ordered": style.orderedListItems, "unordered": style.unorderedListItems]
        bold = ["**": style.boldAsterisks, "__": style.boldUnderscores]
    }

    /// Style control uses each kind's total, so a record's own breakdown is kept where it is one
    /// we know and otherwise folded into the first slot.
    var style: AnswerStyle? {
        guard let tokens, let headers, let lists, let bold else { return nil }
        func total(_ values: [String: Int]) -> Int { values.values.reduce(0) { min($0 + $1, AnswerStyle.maxCount) } }
        let levels = (1...6).map { headers["h\($0)"] ?? 0 }
        let knownHeaders = Set(headers.keys).isSubset(of: (1...6).map { "h\($0)" })
        let knownLists = Set(lists.keys).isSubset(of: ["ordered", "unordered"])
        let knownBold = Set(bold.keys).isSubset(of: ["**", "__"])
        return AnswerStyle(
            tokens: tokens,
            headers: knownHeaders ? levels : [total(headers)],
            orderedListItems: knownLists ? lists["ordered"] ?? 0 : total(lists),
            unorderedListItems: knownLists ? lists["unordered"] ?? 0 : 0,
            boldAsterisks: knownBold ? bold["**"] ?? 0 : total(bold),
            boldUnderscores: knownBold ? bold["__"] ?? 0 : 0
        )
    }
}
