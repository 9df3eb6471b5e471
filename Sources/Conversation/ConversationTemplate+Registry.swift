extension ConversationTemplate {
    private static let registry: [String: ConversationTemplate] = Dictionary(
        fastChatRegistry.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last }
    )

    /// The template FastChat 0.2.36 registers under `name` (`get_conv_template(name)`), or `nil`.
    public static func named(_ name: String) -> ConversationTemplate? {
        registry[name]
    }

    /// The names of FastChat 0.2.36's templates, in its registration order.
    public static var registeredNames: [String] {
        fastChatRegistry.map(\.name)
    }
}
