// RFC 2047: `=?charset?encoding?encoded-text?=` in header values.

public enum EncodedWords {
    /// The header value with its encoded words decoded to UTF-8. White space between two adjacent encoded
    /// words is dropped; a malformed encoded word stays as written; text in a charset the converter does not
    /// know is kept as decoded octets.
    public static func decode(_ value: [UInt8], converter: CharsetConverter?) -> [UInt8] {
        guard value.count >= 8, containsMarker(value) else { return value }
        var out: [UInt8] = []
        out.reserveCapacity(value.count)
        var i = 0
        let n = value.count
        var pendingWhite: [UInt8] = []
        var lastWasEncoded = false
        while i < n {
            if value[i] == 0x3D, i + 1 < n, value[i + 1] == 0x3F, let (decoded, next) = word(value, at: i, converter) {
                if !lastWasEncoded { out += pendingWhite }
                pendingWhite.removeAll()
                out += decoded
                lastWasEncoded = true
                i = next
                continue
            }
            let c = value[i]
            if Ascii.isWhite(c) || c == 0x0D || c == 0x0A {
                pendingWhite.append(c)
            } else {
                out += pendingWhite
                pendingWhite.removeAll()
                out.append(c)
                lastWasEncoded = false
            }
            i += 1
        }
        out += pendingWhite
        return out
    }

    private static func containsMarker(_ value: [UInt8]) -> Bool {
        for i in 0..<(value.count - 1) where value[i] == 0x3D && value[i + 1] == 0x3F { return true }
        return false
    }

    /// The encoded word starting at `start` ("=?"), decoded, and the index after its "?=".
    private static func word(_ v: [UInt8], at start: Int, _ converter: CharsetConverter?) -> ([UInt8], Int)? {
        let n = v.count
        var i = start + 2
        let charsetStart = i
        while i < n, v[i] != 0x3F, v[i] > 0x20, v[i] < 0x7F { i += 1 }
        guard i < n, v[i] == 0x3F, i > charsetStart else { return nil }
        var charset = Array(v[charsetStart..<i])
        // RFC 2231 §5: a language after "*".
        if let star = charset.firstIndex(of: 0x2A) { charset = Array(charset[..<star]) }
        i += 1
        guard i + 1 < n, v[i + 1] == 0x3F else { return nil }
        let encoding = Ascii.lower(v[i])
        guard encoding == 0x62 || encoding == 0x71 else { return nil }
        i += 2
        let textStart = i
        while i + 1 < n, !(v[i] == 0x3F && v[i + 1] == 0x3D) {
            guard v[i] > 0x20, v[i] < 0x7F else { return nil }
            i += 1
        }
        guard i + 1 < n else { return nil }
        let text = v[textStart..<i]
        let raw =
            encoding == 0x62
            ? TransferEncoding.decodeBase64(text)
            : TransferEncoding.decodeQuotedPrintable(text, underscoreIsSpace: true)
        let decoded = Charset.toUTF8(raw, charset: String(decoding: charset, as: UTF8.self), converter: converter)
        return (decoded, i + 2)
    }
}
