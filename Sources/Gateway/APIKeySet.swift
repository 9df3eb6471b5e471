import HTTPTypes
import SwitchyardCore

/// The client API keys a gateway accepts, each optionally limited to some models.
///
/// Empty means the gateway is open: local users send placeholder keys such as `EMPTY`.
public struct APIKeySet: Sendable {
    /// One accepted key and the models it may use (nil: every model).
    public struct Entry: Sendable {
        public var key: AccessToken
        public var models: Set<String>?

        public init(key: AccessToken, models: Set<String>? = nil) {
            self.key = key
            self.models = models
        }
    }

    public private(set) var entries: [Entry]

    public init(_ entries: [Entry] = []) {
        self.entries = entries
    }

    /// Parses a keys file: one key per line, optionally followed by the comma-separated models it
    /// may use (`KEY model1,model2`); blank lines and lines starting with `#` are skipped.
    public init(parsing text: String) throws(ParseError) {
        var entries: [Entry] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let fields = line.split(whereSeparator: \.isWhitespace)
            guard let first = fields.first, !first.hasPrefix("#") else { continue }
            guard fields.count <= 2 else {
                throw ParseError(line: index + 1, reason: "expected `KEY` or `KEY model1,model2`")
            }
            let key = AccessToken(String(first))!
            if entries.contains(where: { $0.key == key }) {
                throw ParseError(line: index + 1, reason: "the key is listed twice")
            }
            let models = fields.count == 2 ? Set(fields[1].split(separator: ",").map(String.init)) : nil
            if models?.isEmpty == true {
                throw ParseError(line: index + 1, reason: "no model names after the key")
            }
            entries.append(Entry(key: key, models: models))
        }
        self.entries = entries
    }

    public var isEmpty: Bool { entries.isEmpty }

    /// Adds keys from another source (the command line beside a file); a key already present keeps its entry.
    public func merging(_ other: APIKeySet) -> APIKeySet {
        APIKeySet(entries + other.entries.filter { entry in !entries.contains { $0.key == entry.key } })
    }

    /// The entry of the presented key, or nil when no key matches.
    ///
    /// Every entry is compared, each in constant time, so the answer's timing says nothing about
    /// which key, or which prefix of one, came close.
    public func entry(for presented: some StringProtocol) -> Entry? {
        var found: Entry?
        for entry in entries where entry.key.matches(presented) {
            found = entry
        }
        return found
    }

    public struct ParseError: Error, CustomStringConvertible, Equatable {
        public var line: Int
        public var reason: String

        public var description: String { "line \(line): \(reason)" }
    }
}

extension APIKeySet {
    /// The entry of the key a request's `Authorization: Bearer` header presents; otherwise the 401
    /// OpenAI answers, so SDKs raise their `AuthenticationError`.
    func entry(presentedIn headers: HTTPFields) throws(OpenAIError) -> Entry {
        guard let presented = headers.bearerToken else { throw Self.missingKey }
        guard let entry = entry(for: presented) else { throw Self.incorrectKey(presented) }
        return entry
    }

    static var missingKey: OpenAIError {
        OpenAIError(
            status: .unauthorized,
            message: "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
        )
    }

    static func incorrectKey(_ presented: some StringProtocol) -> OpenAIError {
        OpenAIError(status: .unauthorized, message: "Incorrect API key provided: \(masked(presented)).", code: "invalid_api_key")
    }

    /// Enough of a wrong key for its owner to recognise it, as OpenAI shows it: `sk-ab***yz`.
    static func masked(_ key: some StringProtocol) -> String {
        key.count >= 12 ? "\(key.prefix(5))***\(key.suffix(2))" : "***"
    }
}
