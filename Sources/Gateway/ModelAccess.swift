import SwitchyardCore

/// The models the current request's API key may use, set by ``APIKeyMiddleware`` around the handler.
///
/// A task-local value, so handlers learn the caller's limits without a custom request context.
public enum ModelAccess {
    /// Nil: every model (no keys configured, or an unrestricted key).
    @TaskLocal public static var allowed: Set<String>?

    public static func allows(_ model: String) -> Bool {
        allowed?.contains(model) ?? true
    }

    /// A model the key may not use answers exactly as one that does not exist, as OpenAI does.
    public static func check(_ model: String) throws {
        guard allows(model) else { throw OpenAIError.modelNotFound(model) }
    }
}
