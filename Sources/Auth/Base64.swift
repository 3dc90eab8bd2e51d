// RFC 4648 §4 base64, strict: SASL data on the wire (RFC 5804 §2.1) must be exactly this.

/// Standard-alphabet base64 with padding.
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let padding: UInt8 = 0x3D  // "="

    /// The padded encoding of `bytes`.
    public static func encode(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= bytes.count {
            let n = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            out += [
                alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)],
                alphabet[Int(n & 63)],
            ]
            index += 3
        }
        switch bytes.count - index {
        case 1:
            let n = UInt32(bytes[index]) << 16
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], padding, padding]
        case 2:
            let n = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8
            out += [alphabet[Int(n >> 18 & 63)], alphabet[Int(n >> 12 & 63)], alphabet[Int(n >> 6 & 63)], padding]
        default:
            break
        }
        return out
    }

    /// The decoded octets, or nil unless `text` is canonical padded base64: a multiple of four characters
    /// from the standard alphabet, `=` only as the final one or two, unused bits zero, no whitespace.
    public static func decode(_ text: [UInt8]) -> [UInt8]? {
        guard text.count % 4 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(text.count / 4 * 3)
        var index = 0
        while index < text.count {
            let isLast = index + 4 == text.count
            let v0 = value(text[index]), v1 = value(text[index + 1])
            guard let v0, let v1 else { return nil }
            let c2 = text[index + 2], c3 = text[index + 3]
            if isLast && c2 == padding && c3 == padding {
                guard v1 & 0x0F == 0 else { return nil }
                out.append(v0 << 2 | v1 >> 4)
            } else if isLast && c3 == padding {
                guard let v2 = value(c2), v2 & 0x03 == 0 else { return nil }
                out += [v0 << 2 | v1 >> 4, v1 << 4 | v2 >> 2]
            } else {
                guard let v2 = value(c2), let v3 = value(c3) else { return nil }
                out += [v0 << 2 | v1 >> 4, v1 << 4 | v2 >> 2, v2 << 6 | v3]
            }
            index += 4
        }
        return out
    }

    private static func value(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x41...0x5A: c - 0x41
        case 0x61...0x7A: c - 0x61 + 26
        case 0x30...0x39: c - 0x30 + 52
        case 0x2B: 62
        case 0x2F: 63
        default: nil
        }
    }
}
