import Testing

@testable import ManageSieveProtocol

@Suite("PROXY protocol headers")
struct ProxyHeaderTests {
    static func v2(command: UInt8 = 0x21, family: UInt8, body: [UInt8]) -> [UInt8] {
        [
            0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, command, family,
            UInt8(body.count >> 8), UInt8(body.count & 0xFF),
        ] + body
    }

    @Test("v1 TCP4, TCP6 and UNKNOWN headers give the client's address and the header length")
    func v1() {
        let line = Array("PROXY TCP4 192.0.2.7 10.0.0.1 51234 4190\r\n".utf8)
        #expect(
            ProxyHeaderParser.parse(line + Array("CAPABILITY\r\n".utf8))
                == .header(ProxyHeader(version: 1, sourceAddress: "192.0.2.7", sourcePort: 51234, length: line.count)))
        let six = Array("PROXY TCP6 2001:DB8::1 ::1 1 4190\r\n".utf8)
        #expect(
            ProxyHeaderParser.parse(six)
                == .header(ProxyHeader(version: 1, sourceAddress: "2001:db8::1", sourcePort: 1, length: six.count)))
        let unknown = Array("PROXY UNKNOWN\r\n".utf8)
        #expect(
            ProxyHeaderParser.parse(unknown)
                == .header(ProxyHeader(version: 1, sourceAddress: nil, sourcePort: nil, length: unknown.count)))
    }

    @Test("a header cut anywhere is incomplete, never misread", arguments: [1, 5, 6, 20, 40])
    func incomplete(cut: Int) {
        let line = Array("PROXY TCP4 192.0.2.7 10.0.0.1 51234 4190\r\n".utf8)
        #expect(ProxyHeaderParser.parse(Array(line.prefix(cut))) == .incomplete)
        let binary = Self.v2(family: 0x11, body: [192, 0, 2, 7, 10, 0, 0, 1, 0xC8, 0x22, 0x10, 0x5E])
        #expect(ProxyHeaderParser.parse(Array(binary.prefix(min(cut, binary.count - 1)))) == .incomplete)
    }

    @Test(
        "malformed v1 headers are invalid",
        arguments: [
            "PROXY TCP4 192.0.2.7 10.0.0.1 51234\r\n", "PROXY TCP4 300.0.2.7 10.0.0.1 1 2\r\n",
            "PROXY TCP4 192.0.2.7 10.0.0.1 65536 2\r\n", "PROXY TCP5 a b 1 2\r\n",
            "PROXY TCP4 192.0.2.7 10.0.0.1 01 2\r\n", "PROXY TCP4 192.0.2.7 10.0.0.1 1 2\n",
            "PROXY TCP6 192.0.2.7 ::1 1 2\r\n",
        ])
    func invalidV1(text: String) {
        guard case .invalid = ProxyHeaderParser.parse(Array(text.utf8)) else {
            Issue.record("accepted \(text)")
            return
        }
    }

    @Test("a v1 header without CRLF within 107 octets is invalid")
    func overlongV1() {
        let text = Array(("PROXY TCP4 " + String(repeating: "1", count: 120)).utf8)
        guard case .invalid = ProxyHeaderParser.parse(text) else {
            Issue.record("accepted an overlong header")
            return
        }
    }

    @Test("v2 IPv4, IPv6 and LOCAL headers")
    func v2() {
        let four = Self.v2(family: 0x11, body: [192, 0, 2, 7, 10, 0, 0, 1, 0xC8, 0x22, 0x10, 0x5E])
        #expect(
            ProxyHeaderParser.parse(four + [0x41])
                == .header(ProxyHeader(version: 2, sourceAddress: "192.0.2.7", sourcePort: 51234, length: 28)))
        var body = [UInt8](repeating: 0, count: 36)
        body[0] = 0x20
        body[1] = 0x01
        body[2] = 0x0D
        body[3] = 0xB8
        body[15] = 0x05
        body[32] = 0x00
        body[33] = 0x50
        let six = Self.v2(family: 0x21, body: body)
        #expect(
            ProxyHeaderParser.parse(six)
                == .header(ProxyHeader(version: 2, sourceAddress: "2001:db8::5", sourcePort: 80, length: 52)))
        let local = Self.v2(command: 0x20, family: 0x00, body: [])
        #expect(
            ProxyHeaderParser.parse(local)
                == .header(ProxyHeader(version: 2, sourceAddress: nil, sourcePort: nil, length: 16)))
    }

    @Test("v2 headers with a bad version, command or short addresses are invalid")
    func invalidV2() {
        for header in [
            Self.v2(command: 0x11, family: 0x11, body: [UInt8](repeating: 0, count: 12)),
            Self.v2(command: 0x22, family: 0x11, body: [UInt8](repeating: 0, count: 12)),
            Self.v2(family: 0x11, body: [1, 2, 3]),
            Self.v2(family: 0x31, body: [UInt8](repeating: 0, count: 216)),
        ] {
            guard case .invalid = ProxyHeaderParser.parse(header) else {
                Issue.record("accepted \(header)")
                continue
            }
        }
    }

    @Test("ordinary client bytes are not a PROXY header")
    func notProxy() {
        #expect(ProxyHeaderParser.parse(Array("CAPABILITY\r\n".utf8)) == .notProxy)
        #expect(ProxyHeaderParser.parse([0x16, 0x03, 0x01]) == .notProxy)
        #expect(ProxyHeaderParser.parse(Array("PROXX".utf8)) == .notProxy)
    }
}

@Suite("IP addresses and CIDR ranges")
struct IPAddressTests {
    @Test(
        "addresses parse and print canonically",
        arguments: [
            ("192.0.2.1", "192.0.2.1"), ("::1", "::1"), ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
            ("[2001:db8::1]", "2001:db8::1"), ("::ffff:192.0.2.9", "192.0.2.9"), ("fe80::1:0:0:1", "fe80::1:0:0:1"),
            ("1:0:0:2:0:0:0:3", "1:0:0:2::3"), ("::", "::"),
        ])
    func canonical(text: String, expected: String) {
        #expect(IPAddress.parse(text).map(IPAddress.format) == expected)
    }

    @Test(
        "invalid addresses are refused",
        arguments: ["256.1.1.1", "1.2.3", "01.2.3.4", "1::2::3", "12345::", "g::1", "", "1:2:3:4:5:6:7:8:9"])
    func invalid(text: String) {
        #expect(IPAddress.parse(text) == nil)
    }

    @Test("CIDR ranges match what they should and nothing else")
    func ranges() throws {
        let net = try #require(NetworkRange("10.0.0.0/8"))
        #expect(net.contains(IPAddress.parse("10.255.1.2")!))
        #expect(!net.contains(IPAddress.parse("11.0.0.1")!))
        let odd = try #require(NetworkRange("192.168.4.0/22"))
        #expect(odd.contains(IPAddress.parse("192.168.7.255")!))
        #expect(!odd.contains(IPAddress.parse("192.168.8.0")!))
        let six = try #require(NetworkRange("2001:db8::/32"))
        #expect(six.contains(IPAddress.parse("2001:db8:ffff::1")!))
        #expect(!six.contains(IPAddress.parse("2001:db9::1")!))
        #expect(!six.contains(IPAddress.parse("10.0.0.1")!))
        let single = try #require(NetworkRange("127.0.0.1"))
        #expect(single.contains(IPAddress.parse("127.0.0.1")!))
        #expect(!single.contains(IPAddress.parse("127.0.0.2")!))
        #expect(NetworkRange("10.0.0.0/33") == nil)
        #expect(NetworkRange("10.0.0.0/-1") == nil)
        #expect(NetworkRange("0.0.0.0/0")!.contains(IPAddress.parse("8.8.8.8")!))
    }
}
