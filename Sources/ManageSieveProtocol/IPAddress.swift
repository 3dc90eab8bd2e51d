// Numeric IP addresses and CIDR ranges, parsed without the resolver (the server binary is static: no NSS).

/// An IPv4 or IPv6 address as octets (4 or 16).
public enum IPAddress: Hashable, Sendable {
    case v4([UInt8])
    case v6([UInt8])

    /// Parses `192.0.2.1`, `2001:db8::1`, `[2001:db8::1]`, `::ffff:192.0.2.1` (IPv4-mapped is folded to IPv4).
    public static func parse(_ text: String) -> IPAddress? {
        var text = Substring(text)
        if text.hasPrefix("["), text.hasSuffix("]") { text = text.dropFirst().dropLast() }
        if let v4 = parseV4(String(text)) { return v4 }
        guard let v6 = parseV6(String(text)), case .v6(let octets) = v6 else { return nil }
        if octets[0..<10].allSatisfy({ $0 == 0 }) && octets[10] == 0xFF && octets[11] == 0xFF {
            return .v4(Array(octets[12..<16]))
        }
        return v6
    }

    /// Dotted quad, four decimal octets without leading zeros.
    public static func parseV4(_ text: String) -> IPAddress? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var octets: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                part == "0" || part.utf8.first != 0x30, let value = UInt8(part)
            else { return nil }
            octets.append(value)
        }
        return .v4(octets)
    }

    /// RFC 4291 §2.2 text forms, including `::` compression and a trailing dotted quad.
    public static func parseV6(_ text: String) -> IPAddress? {
        guard text.utf8.count <= 45, text.contains(":") else { return nil }
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var sawGap = false
        let halves = text.components(separatedByDoubleColon: ())
        guard halves.count <= 2 else { return nil }
        sawGap = halves.count == 2
        func groups(_ part: Substring, allowDotted: Bool) -> [UInt16]? {
            if part.isEmpty { return [] }
            var result: [UInt16] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if allowDotted && index == pieces.count - 1 && piece.contains(".") {
                    guard case .v4(let o)? = parseV4(String(piece)) else { return nil }
                    result.append(UInt16(o[0]) << 8 | UInt16(o[1]))
                    result.append(UInt16(o[2]) << 8 | UInt16(o[3]))
                    continue
                }
                guard !piece.isEmpty, piece.count <= 4, let value = UInt16(piece, radix: 16) else { return nil }
                result.append(value)
            }
            return result
        }
        if sawGap {
            guard let h = groups(halves[0], allowDotted: false), let t = groups(halves[1], allowDotted: true) else {
                return nil
            }
            head = h
            tail = t
            guard head.count + tail.count <= 7 else { return nil }
        } else {
            guard let all = groups(halves[0], allowDotted: true), all.count == 8 else { return nil }
            head = all
        }
        let words = head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        return .v6(words.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] })
    }

    public var octets: [UInt8] {
        switch self {
        case .v4(let o), .v6(let o): o
        }
    }

    /// Canonical text: dotted quad, or RFC 5952 IPv6 (lower case, longest zero run compressed).
    public static func format(_ address: IPAddress) -> String {
        switch address {
        case .v4(let o):
            return o.map(String.init).joined(separator: ".")
        case .v6(let o):
            let words = (0..<8).map { UInt16(o[2 * $0]) << 8 | UInt16(o[2 * $0 + 1]) }
            var bestStart = -1
            var bestLength = 0
            var index = 0
            while index < 8 {
                if words[index] == 0 {
                    var end = index
                    while end < 8 && words[end] == 0 { end += 1 }
                    if end - index > bestLength && end - index >= 2 {
                        bestStart = index
                        bestLength = end - index
                    }
                    index = end
                } else {
                    index += 1
                }
            }
            if bestStart < 0 { return words.map { String($0, radix: 16) }.joined(separator: ":") }
            let left = words[0..<bestStart].map { String($0, radix: 16) }.joined(separator: ":")
            let right = words[(bestStart + bestLength)...].map { String($0, radix: 16) }.joined(separator: ":")
            return left + "::" + right
        }
    }
}

/// A CIDR range such as `10.0.0.0/8`, `2001:db8::/32`, or a single address.
public struct NetworkRange: Hashable, Sendable {
    public var address: IPAddress
    public var prefixLength: Int

    /// Parses `ADDRESS[/BITS]`; nil when invalid.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let address = IPAddress.parse(String(parts[0])) else { return nil }
        let maxBits = address.octets.count * 8
        var bits = maxBits
        if parts.count == 2 {
            guard let value = Int(parts[1]), value >= 0, value <= maxBits,
                parts[1].utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 })
            else { return nil }
            bits = value
        }
        self.address = address
        self.prefixLength = bits
    }

    /// Whether `candidate` lies in this range (IPv4 and IPv6 never match each other).
    public func contains(_ candidate: IPAddress) -> Bool {
        let a = address.octets
        let b = candidate.octets
        guard a.count == b.count else { return false }
        var bits = prefixLength
        var index = 0
        while bits > 0 {
            let mask: UInt8 = bits >= 8 ? 0xFF : ~(0xFF >> UInt8(bits))
            if a[index] & mask != b[index] & mask { return false }
            bits -= 8
            index += 1
        }
        return true
    }
}

extension String {
    /// Splits at "::" (used by the IPv6 parser); a pure replacement for Foundation's components(separatedBy:).
    fileprivate func components(separatedByDoubleColon: Void) -> [Substring] {
        var result: [Substring] = []
        var start = startIndex
        var index = startIndex
        while index < endIndex {
            let next = self.index(after: index)
            if self[index] == ":" && next < endIndex && self[next] == ":" {
                result.append(self[start..<index])
                index = self.index(after: next)
                start = index
                continue
            }
            index = next
        }
        result.append(self[start..<endIndex])
        return result
    }
}
