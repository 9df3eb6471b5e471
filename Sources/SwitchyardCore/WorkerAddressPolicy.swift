import Foundation

/// Which addresses a worker may register, and so which the controller and gateways will call.
///
/// A registered address is a URL chosen by whoever registers: unchecked, it makes Switchyard
/// fetch `file:`, a cloud metadata endpoint or an internal admin page on the caller's behalf.
/// Every address must be a plain `http(s)://host[:port][/path]` URL; with `networks`, its host
/// must also be an IP literal inside one of them.
public struct WorkerAddressPolicy: Sendable, Hashable {
    /// Longest address accepted, in bytes.
    public static let maxLength = 1024

    /// The operator's `--worker-networks`; nil allows any host.
    public var networks: NetworkAllowList?

    public init(networks: NetworkAllowList? = nil) {
        self.networks = networks
    }

    /// Why `address` may not be used, or nil when it may.
    public func problem(with address: String) -> String? {
        guard !address.isEmpty else { return "is empty" }
        guard address.utf8.count <= Self.maxLength else { return "is longer than \(Self.maxLength) bytes" }
        // Printable ASCII only; `\` is a `/` to browsers' URL parsers but not to Foundation's, and
        // `@` would carry user-info that moves the real host.
        guard address.utf8.allSatisfy({ (0x21...0x7e).contains($0) && $0 != UInt8(ascii: "\\") }) else {
            return "must be a plain URL of printable ASCII characters without spaces"
        }
        let lowered = address.lowercased()
        guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://") else { return "must be an http:// or https:// URL" }
        guard !address.contains("@") else { return "must not carry user-info (user@host)" }
        guard !address.contains("?"), !address.contains("#") else { return "must not have a query or fragment" }
        // A percent-encoded host is decoded before it is resolved: what it names is not what it shows.
        let authority = address.drop { $0 != ":" }.dropFirst(3).prefix { $0 != "/" }
        guard !authority.contains("%") else { return "has an invalid host" }
        // Parsed as the outbound client parses it, so the host checked is the host called.
        guard let url = URL(string: address), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            return "is not a valid URL"
        }
        guard url.user == nil, url.password == nil else { return "must not carry user-info (user@host)" }
        guard let rawHost = url.host, !rawHost.isEmpty else { return "has no host" }
        let host = rawHost.hasPrefix("[") && rawHost.hasSuffix("]") ? String(rawHost.dropFirst().dropLast()) : rawHost
        guard host.utf8.allSatisfy({ Self.hostBytes.contains($0) }) else { return "has an invalid host" }
        // The port as the relay reads it: Foundation reads one past Int's range as none (80).
        guard (try? UpstreamPool.Target(url: address)) != nil else { return "has an invalid port" }
        if let networks, !networks.allows(host: host) {
            return "is outside the allowed worker networks (\(networks)); give an IP address inside them"
        }
        return nil
    }

    public func allows(_ address: String) -> Bool {
        problem(with: address) == nil
    }

    /// Throws OpenAI's 400 naming `field` when `address` may not be used.
    public func check(_ address: String, field: String) throws {
        if let problem = problem(with: address) {
            throw OpenAIError.badRequest(
                "\(field) \(problem): \(Self.quoted(address))", param: field, code: "invalid_worker_address"
            )
        }
    }

    /// Letters, digits, `.`, `-`, `_` and the `:` of an IPv6 literal: no percent-encoding, which
    /// would be decoded to a different host.
    private static let hostBytes = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_:".utf8)

    /// The address as echoed in errors: at most 128 bytes of it.
    static func quoted(_ address: String) -> String {
        address.utf8.count <= 128 ? "'\(address)'" : "'\(String(decoding: address.utf8.prefix(128), as: UTF8.self))…'"
    }
}
