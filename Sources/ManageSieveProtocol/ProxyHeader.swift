// HAProxy's PROXY protocol, versions 1 and 2 (haproxy's doc/proxy-protocol.txt): the header a load
// balancer sends first on each connection, carrying the real client's address.

/// A parsed PROXY header.
public struct ProxyHeader: Equatable, Sendable {
    /// 1 or 2.
    public var version: Int
    /// The original client's address and port, numeric (`192.0.2.1`, `2001:db8::1`); nil for
    /// `UNKNOWN` (v1) or `LOCAL`/unspecified (v2): the connection is the proxy's own.
    public var sourceAddress: String?
    public var sourcePort: UInt16?
    /// How many octets the header took: exactly these must be consumed from the stream.
    public var length: Int
}

/// The outcome of looking at the first octets of a connection.
public enum ProxyHeaderParse: Equatable, Sendable {
    /// A complete, valid header.
    case header(ProxyHeader)
    /// The octets so far are a prefix of a header: read more (at most `ProxyHeaderParser.maxLength`).
    case incomplete
    /// The stream does not start with a PROXY signature at all.
    case notProxy
    /// It starts like a PROXY header but is malformed.
    case invalid(String)
}

public enum ProxyHeaderParser {
    /// v1 headers are at most 107 octets; v2 are 16 + at most 216 for the addresses we accept (TLVs may add more).
    public static let maxLength = 16 + 65535
    static let v1Prefix: [UInt8] = Array("PROXY ".utf8)
    static let v2Signature: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A]

    /// Looks at the first octets received.
    public static func parse(_ bytes: [UInt8]) -> ProxyHeaderParse {
        if startsWithPrefix(bytes, of: v2Signature) {
            return bytes.count < v2Signature.count ? .incomplete : parseV2(bytes)
        }
        if startsWithPrefix(bytes, of: v1Prefix) {
            return bytes.count < v1Prefix.count ? .incomplete : parseV1(bytes)
        }
        return .notProxy
    }

    /// True when `bytes` and `signature` agree on their common length.
    static func startsWithPrefix(_ bytes: [UInt8], of signature: [UInt8]) -> Bool {
        !bytes.isEmpty && zip(bytes, signature).allSatisfy { $0 == $1 }
    }

    // v1: "PROXY" SP ("TCP4" / "TCP6" / "UNKNOWN") [SP src SP dst SP sport SP dport] CRLF, ≤ 107 octets.
    static func parseV1(_ bytes: [UInt8]) -> ProxyHeaderParse {
        guard let lf = bytes.prefix(107).firstIndex(of: 0x0A) else {
            return bytes.count >= 107 ? .invalid("v1 header longer than 107 octets") : .incomplete
        }
        guard lf > 0, bytes[lf - 1] == 0x0D else { return .invalid("v1 header not ended by CRLF") }
        guard let line = String(validating: bytes[0..<(lf - 1)], as: UTF8.self) else {
            return .invalid("v1 header is not text")
        }
        let fields = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        guard fields.count >= 2 else { return .invalid("v1 header without protocol") }
        switch fields[1] {
        case "UNKNOWN":
            return .header(ProxyHeader(version: 1, sourceAddress: nil, sourcePort: nil, length: lf + 1))
        case "TCP4", "TCP6":
            guard fields.count == 6 else { return .invalid("v1 header needs 4 address fields") }
            let isV6 = fields[1] == "TCP6"
            guard let source = isV6 ? IPAddress.parseV6(fields[2]) : IPAddress.parseV4(fields[2]),
                isV6 ? IPAddress.parseV6(fields[3]) != nil : IPAddress.parseV4(fields[3]) != nil
            else { return .invalid("v1 header has a bad address") }
            guard let sport = port(fields[4]), port(fields[5]) != nil else {
                return .invalid("v1 header has a bad port")
            }
            return .header(
                ProxyHeader(
                    version: 1, sourceAddress: IPAddress.format(source), sourcePort: sport, length: lf + 1))
        default:
            return .invalid("v1 header has unknown protocol '\(fields[1].prefix(16))'")
        }
    }

    /// A decimal port without leading zeros.
    static func port(_ text: String) -> UInt16? {
        guard !text.isEmpty, text.count <= 5, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        guard text == "0" || text.utf8.first != 0x30 else { return nil }
        return UInt16(text)
    }

    // v2: signature(12) ver_cmd(1) fam(1) len(2, big endian) addresses(len).
    static func parseV2(_ bytes: [UInt8]) -> ProxyHeaderParse {
        guard bytes.count >= 16 else { return .incomplete }
        let versionCommand = bytes[12]
        guard versionCommand >> 4 == 2 else { return .invalid("v2 header with version \(versionCommand >> 4)") }
        let command = versionCommand & 0x0F
        guard command <= 1 else { return .invalid("v2 header with unknown command \(command)") }
        let family = bytes[13]
        let length = Int(bytes[14]) << 8 | Int(bytes[15])
        guard bytes.count >= 16 + length else { return .incomplete }
        let total = 16 + length
        if command == 0 {  // LOCAL: the proxy's own connection (health check)
            return .header(ProxyHeader(version: 2, sourceAddress: nil, sourcePort: nil, length: total))
        }
        let (name, size, address): (String, Int, ([UInt8]) -> IPAddress)
        switch family {
        case 0x11: (name, size, address) = ("IPv4", 4, IPAddress.v4)  // TCP over IPv4
        case 0x21: (name, size, address) = ("IPv6", 16, IPAddress.v6)  // TCP over IPv6
        case 0x00:
            return .header(ProxyHeader(version: 2, sourceAddress: nil, sourcePort: nil, length: total))
        default:
            return .invalid("v2 header with unsupported address family 0x\(String(family, radix: 16))")
        }
        // Source address, destination address, source port, destination port (ports in network order).
        let body = Array(bytes[16..<total])
        guard body.count >= 2 * size + 4 else { return .invalid("v2 \(name) addresses too short") }
        let source = address(Array(body[0..<size]))
        let port = UInt16(body[2 * size]) << 8 | UInt16(body[2 * size + 1])
        return .header(
            ProxyHeader(version: 2, sourceAddress: IPAddress.format(source), sourcePort: port, length: total))
    }
}
