/// `rawlog_peers`: which client addresses get a transcript. Entries are addresses or networks in CIDR
/// form, IPv4 (`192.0.2.7`, `10.0.0.0/8`) or IPv6 (`2001:db8::/32`, `::1`, `[::1]`); an entry that is
/// neither is compared with the whole peer string (e.g. `local` for a session over pipes).
public struct PeerFilter: Equatable, Sendable {
    /// One parsed entry.
    enum Entry: Equatable, Sendable {
        /// A network: its address octets (4 or 16) and prefix length.
        case network([UInt8], prefix: Int)
        /// A peer string compared as is.
        case name(String)
    }

    let entries: [Entry]

    /// An empty list matches every peer.
    public init(_ list: [String]) {
        entries = list.compactMap { PeerFilter.parseEntry($0) }
    }

    public var isEmpty: Bool { entries.isEmpty }

    /// Whether `peer` (`1.2.3.4:5678`, `[::1]:5678`, a bare address, or any other string) matches.
    public func matches(_ peer: String) -> Bool {
        if entries.isEmpty { return true }
        let address = PeerFilter.address(ofPeer: peer)
        for entry in entries {
            switch entry {
            case .name(let name):
                if name == peer { return true }
            case .network(let network, let prefix):
                if let address, address.count == network.count,
                    PeerFilter.prefixMatches(address, network, bits: prefix)
                {
                    return true
                }
            }
        }
        return false
    }

    static func parseEntry(_ text: String) -> Entry? {
        let trimmed = text.trimmingSpaces
        guard !trimmed.isEmpty else { return nil }
        var addressPart = Substring(trimmed)
        var prefix: Int? = nil
        if let slash = trimmed.lastIndex(of: "/") {
            addressPart = trimmed[..<slash]
            guard let bits = Int(trimmed[trimmed.index(after: slash)...]) else { return .name(trimmed) }
            prefix = bits
        }
        if addressPart.hasPrefix("[") && addressPart.hasSuffix("]") {
            addressPart = addressPart.dropFirst().dropLast()
        }
        let octets = parseIPv4(addressPart) ?? parseIPv6(addressPart)
        guard let octets else { return .name(trimmed) }
        let bits = prefix ?? octets.count * 8
        guard bits >= 0 && bits <= octets.count * 8 else { return .name(trimmed) }
        return .network(octets, prefix: bits)
    }

    /// The address octets of a peer string with or without a port; nil if it holds no address.
    static func address(ofPeer peer: String) -> [UInt8]? {
        if peer.hasPrefix("[") {
            guard let close = peer.firstIndex(of: "]") else { return nil }
            return parseIPv6(peer[peer.index(after: peer.startIndex)..<close])
        }
        if let v6 = parseIPv6(Substring(peer)) { return v6 }
        if let v4 = parseIPv4(Substring(peer)) { return v4 }
        if let colon = peer.lastIndex(of: ":") { return parseIPv4(peer[..<colon]) }
        return nil
    }

    static func prefixMatches(_ a: [UInt8], _ b: [UInt8], bits: Int) -> Bool {
        var left = bits
        for index in a.indices {
            if left <= 0 { return true }
            let mask: UInt8 = left >= 8 ? 0xFF : ~(0xFF >> UInt8(left))
            if a[index] & mask != b[index] & mask { return false }
            left -= 8
        }
        return true
    }

    /// dotted-quad = 4 × dec-octet (0–255, no leading zeros beyond one digit).
    static func parseIPv4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var octets: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }),
                part.count == 1 || part.first != "0", let value = UInt8(part)
            else { return nil }
            octets.append(value)
        }
        return octets
    }

    /// RFC 4291 §2.2 text forms: 8 groups of up to 4 hex digits, one `::` for a run of zeros, and an
    /// optional dotted-quad tail.
    static func parseIPv6(_ text: Substring) -> [UInt8]? {
        guard text.contains(":") else { return nil }
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var sawGap = false
        if let gap = text.firstRange(of: "::") {
            sawGap = true
            let before = text[..<gap.lowerBound]
            let after = text[gap.upperBound...]
            guard !after.contains("::") else { return nil }
            guard let h = groups(before), let t = groups(after) else { return nil }
            head = h
            tail = t
        } else {
            guard let all = groups(text) else { return nil }
            head = all
        }
        let total = head.count + tail.count
        if sawGap {
            guard total <= 7 else { return nil }
            head += Array(repeating: 0, count: 8 - total) + tail
        } else {
            guard total == 8 else { return nil }
        }
        var octets: [UInt8] = []
        for group in head { octets += [UInt8(group >> 8), UInt8(group & 0xFF)] }
        return octets
    }

    /// Colon-separated hex groups; a final dotted quad counts as two groups. Empty text is no groups.
    private static func groups(_ text: Substring) -> [UInt16]? {
        if text.isEmpty { return [] }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        var result: [UInt16] = []
        for (index, part) in parts.enumerated() {
            if index == parts.count - 1, part.contains(".") {
                guard let v4 = parseIPv4(part) else { return nil }
                result += [UInt16(v4[0]) << 8 | UInt16(v4[1]), UInt16(v4[2]) << 8 | UInt16(v4[3])]
                continue
            }
            guard !part.isEmpty, part.count <= 4, let value = UInt16(part, radix: 16),
                part.allSatisfy({ $0.isHexDigit })
            else { return nil }
            result.append(value)
        }
        return result
    }
}

extension String {
    var trimmingSpaces: String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars = scalars.dropFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars = scalars.dropLast() }
        return String(scalars)
    }
}
