import HTTPTypes
import SwitchyardCore

/// The gateway's OpenAI routes on the data plane: the browser guard and the API key at the head
/// (the checks Hummingbird's middleware makes for the other routes), then the relay with the
/// key's models in ``ModelAccess``.
public struct GatewayDataPlane: DataPlaneService {
    public var gateway: Gateway
    /// Client keys; none lets every request through.
    public var keys: APIKeySet
    public var browserGuard: BrowserRequestGuard

    public init(gateway: Gateway, keys: APIKeySet = .init(), browserGuard: BrowserRequestGuard) {
        self.gateway = gateway
        self.keys = keys
        self.browserGuard = browserGuard
    }

    /// The models the request's key may use (nil: all).
    public func admit(_ head: HTTPRequest) throws(OpenAIError) -> Set<String>? {
        if let refusal = browserGuard.refusal(of: .init(head: head)) { throw refusal.error }
        guard !keys.isEmpty else { return nil }
        return try keys.entry(presentedIn: head.headerFields).models
    }

    public func serve(_ request: DataPlaneRequest, admitted models: Set<String>?, to writer: DataPlaneWriter) async {
        await ModelAccess.$allowed.withValue(models) {
            await gateway.serve(request, to: writer)
        }
    }
}
