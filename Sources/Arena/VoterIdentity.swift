import Foundation
import SwitchyardCore

/// Addresses of the reverse proxies in front of the gateway, whose `X-Forwarded-For` is believed
/// when telling arena voters apart.
public struct TrustedProxies: Sendable, Equatable {
    let networks: NetworkAllowList?

    /// Trusts nobody: every voter is the connection's peer.
    public static let none = TrustedProxies(networks: nil)

    init(networks: NetworkAllowList?) {
        self.networks = networks
    }

    /// Parses `CIDR` or bare addresses (`10.0.0.0/8`, `192.168.1.5`, `fd00::/8`), comma-separated,
    /// in any number of strings; none at all trusts nobody.
    public init(parsing list: [String]) throws {
        let text = list.joined(separator: ",")
        let hasEntries = text.split(separator: ",").contains { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        self.networks = hasEntries ? try NetworkAllowList(parsing: text) : nil
    }

    func contains(_ address: IPAddress) -> Bool {
        networks?.contains(address) ?? false
    }

    /// The voter behind a request: the connection's peer, unless the peer is a trusted proxy;
    /// then `X-Forwarded-For` is read from its right end, past the trusted hops, and the first
    /// untrusted hop is the voter. A client's own entries sit left of what the proxies appended,
    /// so forging them changes nothing.
    func voter(peer: String?, forwardedFor: [String]) -> String {
        guard let peer, var current = Self.address(peer) else { return "unknown" }
        guard contains(current) else { return Self.voter(current) }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }
        for hop in hops.reversed() {
            // An unreadable hop was not written by a trusted proxy: the last trusted one is the voter.
            guard let address = Self.address(hop) else { break }
            current = address
            if !contains(address) { break }
        }
        return Self.voter(current)
    }

    /// An address as votes count it, an IPv4-mapped IPv6 one as its IPv4 host; a zone
    /// (`fe80::1%eth0`) names an interface, not another host.
    static func address(_ text: some StringProtocol) -> IPAddress? {
        let address = IPAddress(text.split(separator: "%", maxSplits: 1, omittingEmptySubsequences: false)[0])
        return address.map { $0.mappedIPv4 ?? $0 }
    }

    /// Who an address stands for: an IPv4 host, or an IPv6 /64 (one site's allocation, which a
    /// single client can hop through at will).
    static func voter(_ address: IPAddress) -> String {
        address.isIPv4 ? address.description : CIDR("\(address)/64").map(\.description) ?? address.description
    }
}
