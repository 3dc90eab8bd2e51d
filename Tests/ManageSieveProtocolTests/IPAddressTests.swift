import Glibc
import ManageSieveProtocol
import Testing

/// IPAddress parses by hand because ManageSieveProtocol is pure (no Glibc, so no inet_pton); this test holds
/// it to what glibc's inet_pton answers, on hand-picked edge cases and on random near-addresses.
@Suite("IPAddress against inet_pton")
struct IPAddressInetPtonTests {
    static func pton(_ text: String, family: Int32) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 16)
        guard inet_pton(family, text, &buffer) == 1 else { return nil }
        return Array(buffer.prefix(family == AF_INET ? 4 : 16))
    }

    static func agree(_ text: String) {
        let v4 = IPAddress.parseV4(text)?.octets
        let v6 = IPAddress.parseV6(text)?.octets
        #expect(v4 == pton(text, family: AF_INET), "IPv4 \(text)")
        #expect(v6 == pton(text, family: AF_INET6), "IPv6 \(text)")
    }

    static let edgeCases = [
        "0.0.0.0", "255.255.255.255", "256.1.1.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1..2.3", "1.2.3.4 ", " 1.2.3.4",
        "1.2.3.-4", "+1.2.3.4", "1.2.3.0x4", "::", "::1", "1::", "1::2::3", ":::", "1:2:3:4:5:6:7:8",
        "1:2:3:4:5:6:7:8:9",
        "1:2:3:4:5:6:7::", "::1:2:3:4:5:6:7", "1:2:3:4:5:6::7:8", "::ffff:192.0.2.1", "::192.0.2.1",
        "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:7:1.2.3.4", "fe80::1%eth0", "12345::", "0:0:0:0:0:0:0:0", "g::1", ":1::",
        "1::2:", "2001:DB8::A", "2001:db8::00001", "::1.2.3", "::1.2.3.04", "1.2.3.4::", "",
    ]

    @Test("parseV4 and parseV6 answer as inet_pton on edge cases", arguments: edgeCases)
    func edge(_ text: String) { Self.agree(text) }

    @Test("parseV4 and parseV6 answer as inet_pton on 20,000 random near-addresses")
    func random() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789abcdefABCDEF:.".utf8)
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...20, using: &generator)
            let bytes = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
            Self.agree(String(decoding: bytes, as: UTF8.self))
        }
    }
}
