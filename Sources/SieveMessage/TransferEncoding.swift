// RFC 2045 §6.7 (quoted-printable) and §6.8 (base64).

public enum TransferEncoding {
    /// Base64 decoding that skips characters outside the alphabet and stops at padding, as mail readers do.
    public static func decodeBase64<C: Collection>(_ input: C) -> [UInt8] where C.Element == UInt8 {
        var out: [UInt8] = []
        out.reserveCapacity(input.count / 4 * 3)
        var accumulator: UInt32 = 0
        var bits = 0
        for c in input {
            let v: UInt32
            switch c {
            case 0x41...0x5A: v = UInt32(c - 0x41)
            case 0x61...0x7A: v = UInt32(c - 0x61 + 26)
            case 0x30...0x39: v = UInt32(c - 0x30 + 52)
            case 0x2B: v = 62
            case 0x2F: v = 63
            case 0x3D: return out
            default: continue
            }
            accumulator = (accumulator << 6) | v
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                accumulator &= (1 << UInt32(bits)) - 1
            }
        }
        return out
    }

    /// Quoted-printable: `=XX` octets, soft line breaks (`=` at the end of a line) removed, trailing white
    /// space of each line dropped; a malformed `=` is kept as written. `underscoreIsSpace` for RFC 2047 "Q".
    public static func decodeQuotedPrintable<C: Collection>(_ input: C, underscoreIsSpace: Bool = false) -> [UInt8]
    where C.Element == UInt8, C.Index == Int {
        var out: [UInt8] = []
        out.reserveCapacity(input.count)
        var i = input.startIndex
        let end = input.endIndex
        var pendingWhite: [UInt8] = []
        while i < end {
            let c = input[i]
            if c == 0x20 || c == 0x09 {
                pendingWhite.append(c)
                i += 1
                continue
            }
            if c == 0x0D || c == 0x0A {
                // Trailing white space before a line break is padding.
                pendingWhite.removeAll()
                out.append(c)
                i += 1
                continue
            }
            if !pendingWhite.isEmpty {
                out += pendingWhite
                pendingWhite.removeAll()
            }
            if c == 0x3D {
                // Soft line break: "=" then optional white space then the line break.
                var j = i + 1
                while j < end, input[j] == 0x20 || input[j] == 0x09 { j += 1 }
                if j >= end {
                    i = j
                    continue
                }
                if input[j] == 0x0D || input[j] == 0x0A {
                    if input[j] == 0x0D, j + 1 < end, input[j + 1] == 0x0A { j += 1 }
                    i = j + 1
                    continue
                }
                if i + 2 < end, let h = hex(input[i + 1]), let l = hex(input[i + 2]) {
                    out.append(h << 4 | l)
                    i += 3
                    continue
                }
                out.append(c)
                i += 1
                continue
            }
            out.append(underscoreIsSpace && c == 0x5F ? 0x20 : c)
            i += 1
        }
        if !underscoreIsSpace { return out }
        return out + pendingWhite
    }

    /// The value of a hexadecimal digit (either case); nil for any other octet.
    public static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }

    /// A part body decoded per its Content-Transfer-Encoding (7bit, 8bit, binary and unknown ones as is).
    public static func decode<C: Collection>(_ body: C, encoding: String) -> [UInt8]
    where C.Element == UInt8, C.Index == Int {
        switch encoding {
        case "base64": return decodeBase64(body)
        case "quoted-printable": return decodeQuotedPrintable(body)
        default: return Array(body)
        }
    }
}
