// RFC 4648 base64 (§4, standard alphabet) and base64url (§5), strict: a value has exactly one spelling. SASL
// uses the padded standard form (Auth's `Base64`), JWS and JWKs the unpadded URL-safe one (`Base64URL`); both
// are this one coder.

/// Strict base64 in either alphabet, padded or not.
public enum Base64Codec {
    public enum Alphabet: Sendable {
        /// `+` and `/` (RFC 4648 §4).
        case standard
        /// `-` and `_` (RFC 4648 §5).
        case url
    }

    private static let standardDigits = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let urlDigits = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    private static let padding: UInt8 = 0x3D  // "="

    /// The encoding of `bytes`; `padded` adds `=` up to a multiple of four characters.
    public static func encode(_ bytes: [UInt8], alphabet: Alphabet, padded: Bool) -> [UInt8] {
        let digits = alphabet == .standard ? standardDigits : urlDigits
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for byte in bytes {
            accumulator = accumulator << 8 | UInt32(byte)
            bits += 8
            while bits >= 6 {
                bits -= 6
                out.append(digits[Int(accumulator >> UInt32(bits) & 63)])
            }
            accumulator &= (1 << UInt32(bits)) - 1
        }
        if bits > 0 { out.append(digits[Int(accumulator << UInt32(6 - bits) & 63)]) }
        if padded {
            while out.count % 4 != 0 { out.append(padding) }
        }
        return out
    }

    /// The decoded octets, or nil unless `text` is the canonical encoding: only the alphabet's characters, no
    /// whitespace, zero bits where the last character has unused ones; padded, a multiple of four characters
    /// with `=` only as the final one or two; unpadded, no `=` and a length that is not 1 modulo 4.
    public static func decode<C: Collection<UInt8>>(_ text: C, alphabet: Alphabet, padded: Bool) -> [UInt8]? {
        var digits = text[...]
        if padded {
            guard text.count % 4 == 0 else { return nil }
            // At most two: a third `=` stays and is refused below as a character outside the alphabet.
            var end = text.count
            for _ in 0..<2 where end > 0 && text[text.index(text.startIndex, offsetBy: end - 1)] == padding {
                end -= 1
            }
            digits = text[..<text.index(text.startIndex, offsetBy: end)]
        }
        guard digits.count % 4 != 1 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(digits.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for character in digits {
            guard let value = value(character, alphabet) else { return nil }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                accumulator &= (1 << UInt32(bits)) - 1
            }
        }
        guard accumulator == 0 else { return nil }
        return out
    }

    private static func value(_ c: UInt8, _ alphabet: Alphabet) -> UInt8? {
        switch c {
        case 0x41...0x5A: c - 0x41
        case 0x61...0x7A: c - 0x61 + 26
        case 0x30...0x39: c - 0x30 + 52
        case 0x2B where alphabet == .standard, 0x2D where alphabet == .url: 62
        case 0x2F where alphabet == .standard, 0x5F where alphabet == .url: 63
        default: nil
        }
    }
}
