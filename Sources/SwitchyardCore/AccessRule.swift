import Hummingbird

/// What a family of endpoints (worker registration, operator actions) asks of a caller.
///
/// Handlers check it first thing, so no path matching can be fooled into skipping it.
public struct AccessRule: Sendable {
    public enum Requirement: Sendable {
        /// Anyone who reaches the port may call: no token is configured and that was judged safe.
        case open
        /// The caller must send this token as `Authorization: Bearer`.
        case token(AccessToken)
        /// Nobody may call: the endpoints need a token and none is configured.
        case closed
    }

    public var requirement: Requirement
    /// How errors name the credential, e.g. "admin token".
    public var credential: String
    /// The option that configures it, named in errors so the fix is obvious.
    public var option: String

    public init(_ requirement: Requirement, credential: String, option: String) {
        self.requirement = requirement
        self.credential = credential
        self.option = option
    }

    /// Chooses the requirement by the usual rule: the token when one is configured, else open
    /// when `openWithoutToken` (a loopback listener, or an explicit opt-out), else closed.
    public init(token: AccessToken?, openWithoutToken: Bool, credential: String, option: String) {
        let requirement: Requirement =
            if let token { .token(token) } else if openWithoutToken { .open } else { .closed }
        self.init(requirement, credential: credential, option: option)
    }

    /// Whether the request satisfies the rule.
    public func allows(_ request: Request) -> Bool {
        allows(request.headers)
    }

    /// Whether a request with these header fields satisfies the rule.
    public func allows(_ headers: HTTPFields) -> Bool {
        switch requirement {
        case .open: true
        case .token(let token): headers.bearerToken.map(token.matches) ?? false
        case .closed: false
        }
    }

    /// Throws the OpenAI-shaped 401 (missing or wrong token) or 403 (closed) unless the request satisfies the rule.
    public func authorize(_ request: Request) throws(OpenAIError) {
        try authorize(request.headers)
    }

    /// Throws the OpenAI-shaped 401 (missing or wrong token) or 403 (closed) unless a request
    /// with these header fields satisfies the rule.
    public func authorize(_ headers: HTTPFields) throws(OpenAIError) {
        guard !allows(headers) else { return }
        switch requirement {
        case .open:
            return
        case .closed:
            throw OpenAIError(
                status: .forbidden,
                message: "This endpoint is off: the server listens beyond loopback and has no \(credential). Start it with \(option) to use it.",
                code: "forbidden"
            )
        case .token:
            if headers.bearerToken == nil {
                throw OpenAIError(
                    status: .unauthorized,
                    message: "This endpoint needs the \(credential). Send it in an Authorization header using Bearer auth (i.e. Authorization: Bearer TOKEN)."
                )
            }
            throw OpenAIError(status: .unauthorized, message: "Incorrect \(credential) provided.", code: "invalid_token")
        }
    }

    /// Passes when the request satisfies any of the rules; otherwise throws the first rule's error.
    public static func authorize(_ request: Request, anyOf rules: [AccessRule]) throws {
        guard !rules.contains(where: { $0.allows(request) }) else { return }
        try rules.first?.authorize(request)
    }
}
