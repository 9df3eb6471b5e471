import SwitchyardCore
import Testing

@Suite struct NetworkAllowListTests {
    @Test func ipLiteralsParseOnlyInCanonicalForms() {
        #expect(IPAddress("10.1.2.3")?.bytes == [10, 1, 2, 3])
        #expect(IPAddress("::1")?.bytes == Array(repeating: 0, count: 15) + [1])
        #expect(IPAddress("fd00::1")?.isIPv4 == false)
        // Forms a resolver may accept but that are not literals here.
        for text in ["127.1", "0x7f.0.0.1", "2130706433", "017.0.0.1", "fe80::1%eth0", "10.0.0.1\u{0}junk", "[::1]", "256.0.0.1", "", " 10.0.0.1", "localhost"] {
            #expect(IPAddress(text) == nil, "\(text)")
        }
        #expect(IPAddress(String(repeating: "1", count: 100_000)) == nil)
    }

    @Test func cidrsParseAndClearHostBits() {
        #expect(CIDR("10.0.0.0/8")?.description == "10.0.0.0/8")
        #expect(CIDR("127.0.0.1/8")?.description == "127.0.0.0/8")
        #expect(CIDR("192.168.1.77/30")?.description == "192.168.1.76/30")
        #expect(CIDR("10.0.0.5")?.prefixLength == 32)
        #expect(CIDR("fd00::/8")?.prefixLength == 8)
        #expect(CIDR("::1")?.prefixLength == 128)
        #expect(CIDR("0.0.0.0/0")?.prefixLength == 0)
        for text in ["10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/+8", "10.0.0.0/-1", "10.0.0.0/8/8", "10.0.0.0/08x", "/8", "example.com/8", "10.0.0.0/99999999999999999999"] {
            #expect(CIDR(text) == nil, "\(text)")
        }
    }

    @Test func membershipRespectsPrefixAndFamily() throws {
        let list = try NetworkAllowList(parsing: "10.0.0.0/8, 192.168.1.76/30,fd00::/8")
        #expect(list.allows(host: "10.255.255.255"))
        #expect(!list.allows(host: "11.0.0.0"))
        #expect(list.allows(host: "192.168.1.79"))
        #expect(!list.allows(host: "192.168.1.80"))
        #expect(list.allows(host: "fd12:3456::1"))
        #expect(!list.allows(host: "fe80::1"))
        // An IPv4 network never matches an IPv6 address that is not IPv4-mapped, and the reverse.
        #expect(!list.allows(host: "::a00:1"))
        // A mapped address is the IPv4 host it reaches.
        #expect(list.allows(host: "::ffff:10.0.0.1"))
        #expect(!list.allows(host: "::ffff:169.254.169.254"))
        // Names are refused: what they resolve to can change after the check.
        #expect(!list.allows(host: "internal.example"))
        #expect(!list.allows(host: "localhost"))
        #expect(!list.allows(host: "2130706433"))
    }

    @Test func localhostCountsAsLoopback() throws {
        #expect(try NetworkAllowList(parsing: "127.0.0.0/8").allows(host: "localhost"))
        #expect(try NetworkAllowList(parsing: "::1").allows(host: "LOCALHOST"))
        #expect(try NetworkAllowList(parsing: "0.0.0.0/0").allows(host: "0.0.0.0"))
        #expect(try !NetworkAllowList(parsing: "10.0.0.0/8").allows(host: "localhost"))
    }

    @Test func badListsNameTheEntry() {
        #expect(throws: NetworkAllowList.ParseError(entry: "10.0.0.0/99")) { try NetworkAllowList(parsing: "127.0.0.1,10.0.0.0/99") }
        #expect(throws: NetworkAllowList.ParseError(entry: " , ")) { try NetworkAllowList(parsing: " , ") }
        #expect(throws: NetworkAllowList.ParseError(entry: "internal")) { try NetworkAllowList(parsing: "internal") }
    }
}
