import Testing

@testable import Transcript

@Suite("PeerFilter")
struct PeerFilterTests {
    @Test(
        "matches IPv4 and IPv6 addresses and networks",
        arguments: [
            (["192.0.2.7"], "192.0.2.7:4321", true),
            (["192.0.2.7"], "192.0.2.8:4321", false),
            (["10.0.0.0/8"], "10.200.3.4:1", true),
            (["10.0.0.0/8"], "11.0.0.1:1", false),
            (["192.168.1.128/25"], "192.168.1.200:9", true),
            (["192.168.1.128/25"], "192.168.1.127:9", false),
            (["0.0.0.0/0"], "203.0.113.1:1", true),
            (["::1"], "[::1]:4190", true),
            (["[::1]"], "[::1]:4190", true),
            (["2001:db8::/32"], "[2001:db8:0:1::5]:1", true),
            (["2001:db8::/32"], "[2001:db9::5]:1", false),
            (["2001:db8::/33"], "[2001:db8:8000::1]:1", false),
            (["fe80::/10"], "[febf::1]:1", true),
            (["::ffff:192.0.2.0/120"], "[::ffff:192.0.2.9]:1", true),
            (["10.0.0.0/8"], "[::1]:1", false),
            (["local"], "local", true),
            (["127.0.0.1"], "local", false),
            (["192.0.2.1"], "192.0.2.1", true),
            (["1:2:3:4:5:6:7:8"], "[1:2:3:4:5:6:7:8]:1", true),
        ] as [([String], String, Bool)])
    func matching(list: [String], peer: String, expected: Bool) {
        #expect(PeerFilter(list).matches(peer) == expected)
    }

    @Test("an empty list matches everyone")
    func empty() {
        #expect(PeerFilter([]).matches("anything"))
        #expect(PeerFilter([" ", ""]).isEmpty)
    }

    @Test(
        "rejects malformed addresses",
        arguments: ["1.2.3", "1.2.3.256", "01.2.3.4", "1::2::3", "12345::", "1:2:3:4:5:6:7:8:9", "g::1"])
    func malformed(text: String) {
        #expect(PeerFilter.parseIPv4(Substring(text)) == nil && PeerFilter.parseIPv6(Substring(text)) == nil)
    }

    @Test("parses IPv6 text forms to octets")
    func ipv6() {
        #expect(PeerFilter.parseIPv6("::") == Array(repeating: 0, count: 16))
        #expect(PeerFilter.parseIPv6("::1") == Array(repeating: 0, count: 15) + [1])
        #expect(PeerFilter.parseIPv6("2001:db8::") == [0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0, count: 12))
        #expect(PeerFilter.parseIPv6("::ffff:1.2.3.4") == Array(repeating: 0, count: 10) + [0xff, 0xff, 1, 2, 3, 4])
    }

    @Test("an out-of-range prefix makes the entry a plain name, never a wider network")
    func badPrefix() {
        #expect(!PeerFilter(["10.0.0.0/33"]).matches("10.0.0.1:1"))
    }
}
