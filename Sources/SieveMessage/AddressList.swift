// RFC 5322 §3.4: address lists (mailboxes and groups).

/// One mailbox address of a header field: `localPart@domain` (no domain for a bare local part).
public struct MailAddress: Equatable, Sendable {
    public var localPart: [UInt8]
    public var domain: [UInt8]?
    public init(localPart: [UInt8], domain: [UInt8]?) {
        self.localPart = localPart
        self.domain = domain
    }
    public var full: [UInt8] { domain.map { localPart + [0x40] + $0 } ?? localPart }
}

public enum AddressList {
    private enum Token: Equatable {
        case word([UInt8])
        case quoted([UInt8])
        case literal([UInt8])
        case special(UInt8)
    }

    /// The mailboxes of an address-list header value, group members included (groups' names dropped).
    /// Entries that are not addresses are skipped; display names are dropped.
    public static func parse(_ value: [UInt8]) -> [MailAddress] {
        let tokens = tokenize(value)
        var result: [MailAddress] = []
        var pending: [Token] = []
        var i = 0
        func flush() {
            if let address = addrSpec(pending) { result.append(address) }
            pending.removeAll()
        }
        while i < tokens.count {
            let token = tokens[i]
            switch token {
            case .special(0x3C):
                // angle-addr: everything to ">" (a route "@a,@b:" before the address is dropped).
                var inner: [Token] = []
                i += 1
                while i < tokens.count, tokens[i] != .special(0x3E) {
                    inner.append(tokens[i])
                    i += 1
                }
                if let colon = inner.lastIndex(of: .special(0x3A)) { inner = Array(inner[(colon + 1)...]) }
                pending.removeAll()
                if let address = addrSpec(inner) { result.append(address) }
                // Skip to the end of this address.
                while i < tokens.count, tokens[i] != .special(0x2C), tokens[i] != .special(0x3B) { i += 1 }
                continue
            case .special(0x3A):
                // group: the display name before ":" is not an address.
                pending.removeAll()
            case .special(0x2C), .special(0x3B):
                flush()
            default:
                pending.append(token)
            }
            i += 1
        }
        flush()
        return result
    }

    /// addr-spec = local-part "@" domain, from the tokens of one address (nil when it is not one).
    private static func addrSpec(_ tokens: [Token]) -> MailAddress? {
        guard !tokens.isEmpty else { return nil }
        let at = tokens.lastIndex(of: .special(0x40))
        let localTokens = at.map { Array(tokens[..<$0]) } ?? tokens
        guard !localTokens.isEmpty else { return nil }
        var local: [UInt8] = []
        for t in localTokens {
            switch t {
            case .word(let w): local += w
            case .quoted(let q): local += q
            case .special(0x2E): local.append(0x2E)
            default: return nil
            }
        }
        guard let at else {
            // A lone word is a local part only when it is one atom (not a phrase).
            return localTokens.count == 1 ? MailAddress(localPart: local, domain: nil) : nil
        }
        var domain: [UInt8] = []
        for t in tokens[(at + 1)...] {
            switch t {
            case .word(let w): domain += w
            case .literal(let l): domain += [0x5B] + l + [0x5D]
            case .special(0x2E): domain.append(0x2E)
            default: return nil
            }
        }
        guard !domain.isEmpty else { return nil }
        return MailAddress(localPart: local, domain: domain)
    }

    private static func tokenize(_ v: [UInt8]) -> [Token] {
        var tokens: [Token] = []
        var i = 0
        let n = v.count
        while i < n {
            let c = v[i]
            switch c {
            case 0x20, 0x09, 0x0D, 0x0A:
                i += 1
            case 0x28:
                i = Ascii.endOfComment(v, from: i)
            case 0x22:
                var q: [UInt8] = []
                i += 1
                while i < n, v[i] != 0x22 {
                    if v[i] == 0x5C, i + 1 < n { i += 1 }
                    q.append(v[i])
                    i += 1
                }
                i += 1
                tokens.append(.quoted(q))
            case 0x5B:
                var l: [UInt8] = []
                i += 1
                while i < n, v[i] != 0x5D {
                    l.append(v[i])
                    i += 1
                }
                i += 1
                tokens.append(.literal(l))
            case 0x3C, 0x3E, 0x40, 0x2C, 0x3B, 0x3A, 0x2E, 0x5C, 0x5D, 0x29:
                tokens.append(.special(c))
                i += 1
            default:
                let start = i
                while i < n, !isSpecialOrSpace(v[i]) { i += 1 }
                tokens.append(.word(Array(v[start..<i])))
            }
        }
        return tokens
    }

    private static func isSpecialOrSpace(_ c: UInt8) -> Bool {
        switch c {
        case 0x20, 0x09, 0x0D, 0x0A, 0x28, 0x29, 0x3C, 0x3E, 0x40, 0x2C, 0x3B, 0x3A, 0x5C, 0x22, 0x2E, 0x5B, 0x5D:
            return true
        default: return false
        }
    }
}
