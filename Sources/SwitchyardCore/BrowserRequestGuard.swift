import HTTPTypes
import Hummingbird

/// Refuses the requests a web page can make the operator's own browser send to a daemon.
///
/// Without tokens, operator endpoints are open on loopback, so any page the local user opens could
/// drain workers with a cross-site `text/plain` POST (no CORS preflight for that), or read and
/// write every route through DNS rebinding (a name the attacker controls, re-pointed at 127.0.0.1,
/// so the page counts as same-origin). Three rules close both:
///
/// - every POST, PUT, PATCH or DELETE that has a body is `application/json` (or, for streamed
///   heartbeats, `application/x-ndjson`): a page can send those types cross-site only after a
///   CORS preflight, which no daemon answers;
/// - a daemon bound to loopback answers only requests addressed to a loopback name (the `Host` a
///   rebinding page's requests carry is the attacker's), and only pages of a loopback origin;
/// - a daemon bound beyond loopback takes state-changing requests only from pages of its own origin.
///
/// A POST with no body and no `Origin` passes without a type: browsers send `Origin` on every POST,
/// and FastChat's clients post `/refresh_all_workers` and `/list_models` bare.
public struct BrowserRequestGuard: Sendable, Equatable {
    /// Whether the daemon listens on loopback only.
    public var loopback: Bool

    public init(loopback: Bool) {
        self.loopback = loopback
    }

    /// The guard of a daemon bound to `host` (an address or name, as `--host` takes it).
    public init(bindHost host: String) {
        self.init(loopback: Self.isLoopback(host: host))
    }

    /// Why a request is refused.
    public enum Refusal: Sendable, Equatable {
        case unsupportedMediaType
        case foreignHost
        case foreignOrigin
    }

    /// What a request looks like to the guard: the few fields it decides on.
    public struct Request: Sendable {
        public var method: HTTPRequest.Method
        /// Every `Host` the request named (HTTP/1.1 allows one; a second one is hostile).
        public var hosts: [String]
        public var origins: [String]
        public var contentTypes: [String]
        public var hasBody: Bool

        public init(method: HTTPRequest.Method, hosts: [String] = [], origins: [String] = [], contentTypes: [String] = [], hasBody: Bool = true) {
            self.method = method
            self.hosts = hosts
            self.origins = origins
            self.contentTypes = contentTypes
            self.hasBody = hasBody
        }
    }

    /// Nil when the request may go on; otherwise why not. Host first, then origin, then type, so a
    /// rebinding page learns nothing from the type error.
    public func refusal(of request: Request) -> Refusal? {
        if loopback {
            if !request.hosts.allSatisfy(Self.isLoopback(authority:)) { return .foreignHost }
            if !request.origins.allSatisfy(Self.isLoopbackOrigin) { return .foreignOrigin }
        }
        guard Self.changesState(request.method) else { return nil }
        if !loopback, let host = request.hosts.first, !request.origins.allSatisfy({ Self.isSameOrigin($0, host: host) }) {
            return .foreignOrigin
        }
        // A browser adds `Origin` to every POST; without one and without a body, no page sent it,
        // whatever type a client library labels the empty body with (aiohttp says octet-stream).
        if !request.hasBody && request.origins.isEmpty { return nil }
        if request.contentTypes.isEmpty || !request.contentTypes.allSatisfy(Self.isJSON) { return .unsupportedMediaType }
        return nil
    }

    static func changesState(_ method: HTTPRequest.Method) -> Bool {
        [.post, .put, .patch, .delete].contains(method)
    }

    /// `application/json` or `application/x-ndjson` with any parameters (`; charset=utf-8`), in any case.
    static func isJSON(_ contentType: String) -> Bool {
        var mediaType = contentType.utf8.prefix { $0 != UInt8(ascii: ";") }
        while let first = mediaType.first, first.isOptionalWhitespace { mediaType.removeFirst() }
        while let last = mediaType.last, last.isOptionalWhitespace { mediaType.removeLast() }
        return mediaType.equalsIgnoringASCIICase("application/json") || mediaType.equalsIgnoringASCIICase("application/x-ndjson")
    }

    /// Whether a host name or address (without port) is this machine: `localhost`, `*.localhost`
    /// (RFC 6761 keeps them on loopback), `127.0.0.0/8` in dotted decimal, `::1`.
    public static func isLoopback(host: String) -> Bool {
        let host = host.utf8
        if host.equalsIgnoringASCIICase("localhost") || host.hasSuffixIgnoringASCIICase(".localhost") || host.elementsEqual("::1".utf8)
            || host.elementsEqual("[::1]".utf8)
        {
            return true
        }
        let octets = host.split(separator: UInt8(ascii: "."), maxSplits: 4, omittingEmptySubsequences: false)
        guard octets.count == 4, octets[0].elementsEqual("127".utf8) else { return false }
        return octets.allSatisfy { octet in
            (1...3).contains(octet.count) && octet.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
                && octet.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) } <= 255
        }
    }

    /// Whether a `Host` value (host, optionally `:port`) names this machine.
    static func isLoopback(authority: String) -> Bool {
        guard let (host, _) = split(authority: authority) else { return false }
        return isLoopback(host: host)
    }

    /// Whether an `Origin` is a page served from this machine; `null` (sandboxed frames, files) is not.
    static func isLoopbackOrigin(_ origin: String) -> Bool {
        guard let (_, authority) = split(origin: origin), let (host, _) = split(authority: authority) else { return false }
        return isLoopback(host: host)
    }

    /// Whether a page of `origin` is the site the request was sent to (`host` as the `Host` header
    /// has it), ports compared with the scheme's default filled in.
    static func isSameOrigin(_ origin: String, host: String) -> Bool {
        guard let (scheme, authority) = split(origin: origin), let (originHost, originPort) = split(authority: authority),
            let (requestHost, requestPort) = split(authority: host)
        else { return false }
        let defaultPort = scheme == "https" ? 443 : 80
        return originHost.lowercased() == requestHost.lowercased() && (originPort ?? defaultPort) == (requestPort ?? defaultPort)
    }

    /// `scheme://authority` of an http(s) origin; nil for `null` and anything else.
    private static func split(origin: String) -> (scheme: String, authority: String)? {
        let lowered = origin.lowercased()
        for scheme in ["http", "https"] where lowered.hasPrefix(scheme + "://") {
            let authority = String(lowered.dropFirst(scheme.count + 3))
            return authority.contains(where: { $0 == "/" || $0 == "@" }) ? nil : (scheme, authority)
        }
        return nil
    }

    /// Host and port of `host[:port]` or `[v6]:port`; nil when malformed (empty host, a port that
    /// is not a number, anything after a bracket but a port).
    private static func split(authority: String) -> (host: String, port: Int?)? {
        var host = Substring(authority)
        var port: Substring?
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else { return nil }
            let rest = host[host.index(after: close)...]
            host = host[...close]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { return nil }
                port = rest.dropFirst()
            }
        } else if let colon = host.lastIndex(of: ":") {
            port = host[host.index(after: colon)...]
            host = host[..<colon]
            if host.contains(":" as Character) { return nil }
        }
        guard !host.isEmpty else { return nil }
        guard let port else { return (String(host), nil) }
        guard (1...5).contains(port.count), port.allSatisfy(\.isASCIIDigit), let number = Int(port), number <= 65535 else { return nil }
        return (String(host), number)
    }
}

extension BrowserRequestGuard.Refusal {
    /// The OpenAI-shaped answer, naming what to fix.
    public var error: OpenAIError {
        switch self {
        case .unsupportedMediaType:
            OpenAIError(
                status: .unsupportedMediaType,
                message: "Send the request body as JSON, with the header Content-Type: application/json.",
                code: "unsupported_media_type"
            )
        case .foreignHost:
            OpenAIError(
                status: .forbidden,
                message: "This server listens on loopback and answers only requests addressed to localhost, 127.0.0.1 or [::1] (the Host header); bind it with --host to reach it by another name.",
                code: "forbidden_host"
            )
        case .foreignOrigin:
            OpenAIError(status: .forbidden, message: "Requests from pages of another origin are refused.", code: "forbidden_origin")
        }
    }
}

/// Applies a ``BrowserRequestGuard`` to every request, before any route (unknown ones included).
public struct BrowserRequestGuardMiddleware<Context: RequestContext>: RouterMiddleware {
    public let rules: BrowserRequestGuard

    public init(_ rules: BrowserRequestGuard) {
        self.rules = rules
    }

    public func handle(_ request: Hummingbird.Request, context: Context, next: (Hummingbird.Request, Context) async throws -> Response) async throws -> Response {
        if let refusal = rules.refusal(of: .init(request)) { throw refusal.error }
        return try await next(request, context)
    }
}

extension BrowserRequestGuard.Request {
    /// The fields of a server's request; HTTP/1's first `Host` is the head's authority, any other stays a header.
    public init(_ request: Hummingbird.Request) {
        self.init(head: request.head)
    }

    public init(head: HTTPRequest) {
        let headers = head.headerFields
        let length = headers[.contentLength]
        self.init(
            method: head.method,
            hosts: (head.authority.map { [$0] } ?? []) + headers[values: .hostField],
            origins: headers[values: .origin],
            contentTypes: headers[values: .contentType],
            hasBody: headers[.transferEncoding] != nil || (length != nil && length != "0")
        )
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}

extension HTTPField.Name {
    /// `Host` as a plain field: HTTPTypes moves the first into the authority and marks `.host` unavailable.
    fileprivate static let hostField = HTTPField.Name("Host")!
}

extension UInt8 {
    /// HTTP's optional whitespace around header values: space and tab.
    fileprivate var isOptionalWhitespace: Bool { self == UInt8(ascii: " ") || self == UInt8(ascii: "\t") }

    fileprivate var asciiLowercased: UInt8 { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(self) ? self | 0x20 : self }
}

extension Collection<UInt8> {
    /// Byte-wise comparison folding only ASCII letters: headers and host names are ASCII, and
    /// Foundation's Unicode-aware string functions cost more than the rest of the guard.
    fileprivate func equalsIgnoringASCIICase(_ lowercase: StaticString) -> Bool {
        let other = UnsafeBufferPointer(start: lowercase.utf8Start, count: lowercase.utf8CodeUnitCount)
        return elementsEqual(other) { $0.asciiLowercased == $1 }
    }

    fileprivate func hasSuffixIgnoringASCIICase(_ lowercase: StaticString) -> Bool {
        count >= lowercase.utf8CodeUnitCount && dropFirst(count - lowercase.utf8CodeUnitCount).equalsIgnoringASCIICase(lowercase)
    }
}
