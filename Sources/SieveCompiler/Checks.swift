// Shared checks for meaning: header field names, addresses (RFC 5322), UTF-8, IMAP flags.

enum Checks {
    /// field-name = 1*ftext; ftext = %d33-57 / %d59-126 (RFC 5322 §3.6.8)
    static func isValidHeaderName(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer(isValidHeaderName)
    }

    static func isValidHeaderName(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard !bytes.isEmpty else { return false }
        return bytes.allSatisfy { $0 >= 33 && $0 <= 126 && $0 != 58 }
    }

    /// `isValidHeaderName` of a string of the script, read in place.
    static func isValidHeaderName(_ s: StringLiteral) -> Bool { s.withBytes(isValidHeaderName) }

    /// `isValidUTF8` of a string of the script, read in place when it is ASCII (the usual case).
    static func isValidUTF8(_ s: StringLiteral) -> Bool {
        s.withBytes { $0.allSatisfy { $0 < 0x80 } } || isValidUTF8(s.bytes)
    }

    static func isValidUTF8(_ bytes: [UInt8]) -> Bool {
        // Mostly ASCII: that part is checked through the buffer pointer.
        let asciiPrefix = bytes.withUnsafeBufferPointer { buffer in
            var i = 0
            while i < buffer.count, buffer[i] < 0x80 { i += 1 }
            return i
        }
        var i = asciiPrefix
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b < 0x80 { i += 1; continue }
            var need = 0
            var minimum: UInt32 = 0
            var value: UInt32 = 0
            if b & 0xE0 == 0xC0 {
                need = 1; minimum = 0x80; value = UInt32(b & 0x1F)
            } else if b & 0xF0 == 0xE0 {
                need = 2; minimum = 0x800; value = UInt32(b & 0x0F)
            } else if b & 0xF8 == 0xF0 {
                need = 3; minimum = 0x10000; value = UInt32(b & 0x07)
            } else {
                return false
            }
            guard i + need < n else { return false }
            for k in 1...need {
                let c = bytes[i + k]
                guard c & 0xC0 == 0x80 else { return false }
                value = (value << 6) | UInt32(c & 0x3F)
            }
            if value < minimum || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF) { return false }
            i += need + 1
        }
        return true
    }

    /// Headers the `address` test may look at (as Pigeonhole allows).
    static let addressHeaders: Set<String> = [
        "from", "sender", "reply-to", "to", "cc", "bcc", "resent-from", "resent-sender", "resent-to", "resent-cc",
        "resent-bcc", "resent-reply-to", "delivered-to", "errors-to", "return-receipt-to", "mail-followup-to",
        "mail-reply-to", "x-original-to", "apparently-to", "x-beenthere",
    ]

    /// Whether a header name (as bytes) is one of `addressHeaders`, in any case (ASCII only: no non-ASCII
    /// character lower-cases into these names).
    static func isAddressHeader(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        for header in addressHeaderBytes where header.count == name.count {
            if header.withUnsafeBufferPointer({ equalsIgnoringASCIICase(name, lowercased: $0) }) { return true }
        }
        return false
    }

    private static let addressHeaderBytes: [[UInt8]] = addressHeaders.map { Array($0.utf8) }

    /// Whether `bytes` equal the lower-case ASCII `lowercased`, ignoring ASCII case.
    @inline(__always)
    static func equalsIgnoringASCIICase(
        _ bytes: UnsafeBufferPointer<UInt8>, lowercased: UnsafeBufferPointer<UInt8>
    ) -> Bool {
        guard bytes.count == lowercased.count else { return false }
        for k in 0..<bytes.count where Lexer.lower(bytes[k]) != lowercased[k] { return false }
        return true
    }

    static func equalsIgnoringASCIICase(_ bytes: UnsafeBufferPointer<UInt8>, _ lowercased: StaticString) -> Bool {
        lowercased.withUTF8Buffer { equalsIgnoringASCIICase(bytes, lowercased: $0) }
    }

    /// Checks an IMAP flag (RFC 3501 flag): `\Seen` etc. or an atom keyword.
    static func isValidFlag(_ flag: String) -> Bool {
        let system = ["\\answered", "\\flagged", "\\deleted", "\\seen", "\\draft"]
        if flag.hasPrefix("\\") { return system.contains(flag.lowercased()) }
        return isFlagAtom(flag.utf8)
    }

    /// An IMAP flag keyword (RFC 3501 atom): printable ASCII without the atom-specials and without "]".
    @inline(__always)
    static func isFlagAtom<Flag: Collection<UInt8>>(_ flag: Flag) -> Bool {
        guard !flag.isEmpty else { return false }
        for b in flag {
            if b <= 0x20 || b >= 0x7F { return false }
            switch b {
            case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "{"), UInt8(ascii: "%"), UInt8(ascii: "*"),
                UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "]"):
                return false
            default: continue
            }
        }
        return true
    }

    /// `isValidFlag` on bytes in place (same verdicts, no String), system flags compared without building anything.
    static func isValidASCIIFlag(_ flag: UnsafeBufferPointer<UInt8>) -> Bool {
        if flag.first == UInt8(ascii: "\\") {
            // The system flags by length (the same names as `systemFlags`).
            switch flag.count {
            case 5: return equalsIgnoringASCIICase(flag, "\\seen")
            case 6: return equalsIgnoringASCIICase(flag, "\\draft")
            case 8: return equalsIgnoringASCIICase(flag, "\\flagged") || equalsIgnoringASCIICase(flag, "\\deleted")
            case 9: return equalsIgnoringASCIICase(flag, "\\answered")
            default: return false
            }
        }
        return isFlagAtom(flag)
    }

    static func isValidASCIIFlag<Flag: Collection<UInt8>>(_ flag: Flag) -> Bool {
        if flag.first == UInt8(ascii: "\\") {
            return systemFlags.contains { $0.elementsEqual(flag.lazy.map(Lexer.lower)) }
        }
        return isFlagAtom(flag)
    }

    private static let systemFlags: [[UInt8]] = ["\\answered", "\\flagged", "\\deleted", "\\seen", "\\draft"].map {
        Array($0.utf8)
    }

    // MARK: RFC 5322 addresses

    /// Why a constant address is invalid, or nil when it is a valid mailbox (`a@b.c`, `Name <a@b.c>`).
    static func addressProblem(_ text: [UInt8]) -> AddressProblem? {
        var p = AddressScanner(bytes: text)
        return p.mailbox()
    }
}

/// A small RFC 5322 `mailbox` recogniser: name-addr / addr-spec with dot-atom or quoted local parts and
/// dot-atom or literal domains.
struct AddressScanner {
    let bytes: [UInt8]
    var i = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    static func isAtext(_ b: UInt8) -> Bool {
        if Lexer.isAlpha(b) || Lexer.isDigit(b) || b >= 0x80 { return true }
        return "!#$%&'*+-/=?^_`{|}~".utf8.contains(b)
    }

    mutating func skipCFWS() {
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A {
                i += 1
            } else if b == 0x28 {
                var depth = 0
                while i < bytes.count {
                    if bytes[i] == 0x5C { i = min(i + 2, bytes.count); continue }
                    if bytes[i] == 0x28 { depth += 1 }
                    if bytes[i] == 0x29 { depth -= 1; if depth == 0 { i += 1; break } }
                    i += 1
                }
            } else {
                return
            }
        }
    }

    mutating func atom() -> Bool {
        let start = i
        while i < bytes.count, AddressScanner.isAtext(bytes[i]) { i += 1 }
        return i > start
    }

    mutating func dotAtom() -> Bool {
        guard atom() else { return false }
        while i < bytes.count, bytes[i] == 0x2E {
            i += 1
            guard atom() else { return false }
        }
        return true
    }

    mutating func quoted() -> Bool {
        guard i < bytes.count, bytes[i] == 0x22 else { return false }
        i += 1
        while i < bytes.count {
            if bytes[i] == 0x5C { i = min(i + 2, bytes.count); continue }
            if bytes[i] == 0x22 { i += 1; return true }
            i += 1
        }
        return false
    }

    /// addr-spec = local-part "@" domain. Like Pigeonhole, the local part may have stray dots and
    /// comments, but only ASCII.
    mutating func addrSpec() -> AddressProblem? {
        skipCFWS()
        let start = i
        var sawAny = false
        if i < bytes.count, bytes[i] == 0x22 {
            guard quoted() else { return .invalidLocalPart }
            if i - start == 2 { return .missingLocalPart }
            sawAny = true
        } else {
            while i < bytes.count {
                let b = bytes[i]
                if b == 0x2E || (b < 0x80 && AddressScanner.isAtext(b)) {
                    i += 1
                    sawAny = true
                } else if b >= 0x80 {
                    return .invalidLocalPart
                } else {
                    break
                }
            }
        }
        let localEnd = i
        skipCFWS()
        guard sawAny, i < bytes.count, bytes[i] == 0x40 else {
            let local = String(decoding: bytes[start..<localEnd], as: UTF8.self)
            return .lonelyLocalPart(local)
        }
        i += 1
        skipCFWS()
        if i < bytes.count, bytes[i] == 0x5B {
            while i < bytes.count, bytes[i] != 0x5D { i += 1 }
            guard i < bytes.count else { return .invalidDomain }
            i += 1
            return nil
        }
        // domain = dot-atom, where (as in RFC 5322's obs-domain) folding white space and comments may
        // surround each dot.
        while true {
            skipCFWS()
            guard atom() else { return .invalidDomain }
            skipCFWS()
            guard i < bytes.count, bytes[i] == 0x2E else { return nil }
            i += 1
        }
    }

    /// mailbox = name-addr / addr-spec
    mutating func mailbox() -> AddressProblem? {
        skipCFWS()
        // Try addr-spec first.
        let save = i
        if addrSpec() == nil {
            skipCFWS()
            if i == bytes.count { return nil }
        }
        i = save
        // name-addr = [display-name] "<" addr-spec ">"
        while i < bytes.count, bytes[i] != 0x3C {
            if bytes[i] == 0x22 {
                guard quoted() else { return .invalidDisplayName }
                continue
            }
            i += 1
        }
        guard i < bytes.count else {
            i = save
            return addrSpec() ?? .trailingCharacters
        }
        i += 1
        if let problem = addrSpec() { return problem }
        guard i < bytes.count, bytes[i] == 0x3E else { return .missingAngleBracket }
        i += 1
        skipCFWS()
        return i == bytes.count ? nil : .trailingCharacters
    }
}
