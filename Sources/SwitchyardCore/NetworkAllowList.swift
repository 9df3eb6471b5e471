import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An IP address as its network-order bytes: 4 for IPv4, 16 for IPv6.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    public let bytes: [UInt8]

    /// Parses an IP literal with `inet_pton`, so only the canonical forms count: `127.1`,
    /// `0x7f.0.0.1`, `2130706433` and zoned IPv6 (`fe80::1%eth0`) are not addresses here, even
    /// though a resolver may turn some of them into one.
    public init?(_ text: some StringProtocol) {
        let text = String(text)
        // inet_pton reads up to a NUL: `10.0.0.1\0junk` must not pass as 10.0.0.1.
        guard !text.isEmpty, text.utf8.count <= 64, !text.utf8.contains(0) else { return nil }
        if let bytes = Self.parse(text, family: AF_INET, size: 4) {
            self.bytes = bytes
        } else if let bytes = Self.parse(text, family: AF_INET6, size: 16) {
            self.bytes = bytes
        } else {
            return nil
        }
    }

    init(bytes: [UInt8]) { self.bytes = bytes }

    private static func parse(_ text: String, family: Int32, size: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: size)
        let parsed = bytes.withUnsafeMutableBytes { buffer in inet_pton(family, text, buffer.baseAddress) }
        return parsed == 1 ? bytes : nil
    }

    public var isIPv4: Bool { bytes.count == 4 }

    /// The IPv4 address inside an IPv4-mapped IPv6 one (`::ffff:10.0.0.1`): a connection to
    /// it goes to the IPv4 host, so it is judged as that.
    public var mappedIPv4: IPAddress? {
        guard bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xff, bytes[11] == 0xff else { return nil }
        return IPAddress(bytes: Array(bytes[12...]))
    }

    public var description: String {
        if isIPv4 { return bytes.map(String.init).joined(separator: ".") }
        return stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }.joined(separator: ":")
    }
}

/// One network in CIDR notation (`10.0.0.0/8`, `fd00::/8`); a bare address is a network of one.
public struct CIDR: Sendable, Hashable, CustomStringConvertible {
    /// The network's address with its host bits cleared.
    public let network: IPAddress
    public let prefixLength: Int

    /// Parses `ADDRESS[/PREFIX]`; nil for anything else. Host bits beyond the prefix are cleared,
    /// so `127.0.0.1/8` is `127.0.0.0/8`.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(parts[0]) else { return nil }
        let bits = address.bytes.count * 8
        var prefixLength = bits
        if parts.count == 2 {
            // Digits only: `Int("+8")` would pass.
            guard !parts[1].isEmpty, parts[1].count <= 3, parts[1].allSatisfy(\.isASCIIDigit),
                let length = Int(parts[1]), length <= bits
            else { return nil }
            prefixLength = length
        }
        self.prefixLength = prefixLength
        self.network = IPAddress(bytes: Self.masked(address.bytes, prefixLength))
    }

    /// Whether `address` lies in this network; addresses of the other family never do.
    public func contains(_ address: IPAddress) -> Bool {
        address.bytes.count == network.bytes.count && Self.masked(address.bytes, prefixLength) == network.bytes
    }

    private static func masked(_ bytes: [UInt8], _ prefixLength: Int) -> [UInt8] {
        bytes.enumerated().map { index, byte in
            let kept = min(max(prefixLength - index * 8, 0), 8)
            return kept == 0 ? 0 : byte & ~UInt8(0xff >> kept)
        }
    }

    public var description: String { "\(network)/\(prefixLength)" }
}

/// The networks workers may be registered at (`--worker-networks`): a host is allowed only as an
/// IP literal inside one of them, or as `localhost` when a loopback address is.
///
/// Names other than `localhost` are refused: what a resolver answers for them can change after
/// the check (DNS rebinding), while a literal is what the connection goes to.
public struct NetworkAllowList: Sendable, Hashable, CustomStringConvertible {
    public let networks: [CIDR]

    public init(_ networks: [CIDR]) {
        self.networks = networks
    }

    /// Parses a comma-separated list such as `10.0.0.0/8, ::1`; throws naming the first bad entry.
    public init(parsing text: String) throws(ParseError) {
        let entries = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !entries.isEmpty else { throw ParseError(entry: text) }
        var networks: [CIDR] = []
        for entry in entries {
            guard let network = CIDR(entry) else { throw ParseError(entry: String(entry)) }
            networks.append(network)
        }
        self.init(networks)
    }

    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public var entry: String
        public init(entry: String) { self.entry = entry }
        public var description: String {
            "'\(entry)' is not a network: give IP addresses or CIDR ranges such as 10.0.0.0/8 or fd00::/8, separated by commas."
        }
    }

    public func contains(_ address: IPAddress) -> Bool {
        networks.contains { $0.contains(address) } || address.mappedIPv4.map(contains) ?? false
    }

    /// Whether a URL's host (without IPv6 brackets) is allowed.
    public func allows(host: String) -> Bool {
        if host.lowercased() == "localhost" {
            return ["127.0.0.1", "::1"].contains { contains(IPAddress($0)!) }
        }
        return IPAddress(host).map(contains) ?? false
    }

    public var description: String { networks.map(\.description).joined(separator: ",") }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
