import Foundation
import Hummingbird
import SwitchyardCore

/// Requires a client API key (`Authorization: Bearer KEY`) on every gateway route but a few
/// public pages, and scopes the request to the key's models through ``ModelAccess``.
///
/// Deny by default: a route added later is protected unless listed here as public. Failures
/// answer exactly as OpenAI does, so SDKs raise their `AuthenticationError`.
public struct APIKeyMiddleware<Context: RequestContext>: RouterMiddleware {
    public let keys: APIKeySet

    public init(keys: APIKeySet) {
        self.keys = keys
    }

    /// Reachable without a key, by GET or HEAD: health, Prometheus and static pages; the
    /// leaderboard holds only public ratings.
    static var publicPaths: Set<String> { ["", "health", "metrics", "dashboard", "arena", "leaderboard", "arena/leaderboard"] }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard !keys.isEmpty else { return try await next(request, context) }
        let path = Self.normalized(request.uri.path)
        if request.method == .get || request.method == .head, Self.publicPaths.contains(path) {
            return try await next(request, context)
        }
        let entry = try keys.entry(presentedIn: request.headers)
        if entry.models != nil, path.hasPrefix("arena/") {
            throw OpenAIError(
                status: .forbidden,
                message: "This API key may use only some models, and the arena draws from all of them.",
                code: "model_not_allowed"
            )
        }
        return try await ModelAccess.$allowed.withValue(entry.models) {
            try await next(request, context)
        }
    }

    /// The path as the router will see it, whatever slashes or escapes it was sent with.
    static func normalized(_ path: String) -> String {
        (path.removingPercentEncoding ?? path).split(separator: "/").joined(separator: "/")
    }
}
