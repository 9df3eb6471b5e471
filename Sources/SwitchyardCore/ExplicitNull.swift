/// A field OpenAI always sends, as `null` when it has no value: strict clients require the key,
/// and synthesized `Codable` leaves nil optionals out. A missing key still decodes as nil.
@propertyWrapper
public struct ExplicitNull<Value: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
    public var wrappedValue: Value?

    public init(wrappedValue: Value?) {
        self.wrappedValue = wrappedValue
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        wrappedValue = container.decodeNil() ? nil : try container.decode(Value.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
    }
}

/// A field Switchyard never fills but sends as `null` (`logprobs`, `refusal`); whatever arrives in
/// it is ignored.
public struct AlwaysNull: Codable, Sendable, Equatable {
    public init() {}
    public init(from decoder: any Decoder) throws {}

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encodeNil()
    }
}

extension KeyedDecodingContainer {
    public func decode<Value>(_ type: ExplicitNull<Value>.Type, forKey key: Key) throws -> ExplicitNull<Value> {
        try decodeIfPresent(type, forKey: key) ?? ExplicitNull(wrappedValue: nil)
    }

    public func decode(_ type: AlwaysNull.Type, forKey key: Key) throws -> AlwaysNull {
        AlwaysNull()
    }
}
