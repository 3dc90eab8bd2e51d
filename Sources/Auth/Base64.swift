// RFC 4648 §4 base64, strict: SASL data on the wire (RFC 5804 §2.1) must be exactly this.
import JOSE

/// Standard-alphabet base64 with padding (`Base64Codec`, shared with JOSE's base64url).
public enum Base64 {
    /// The padded encoding of `bytes`.
    public static func encode(_ bytes: [UInt8]) -> [UInt8] {
        Base64Codec.encode(bytes, alphabet: .standard, padded: true)
    }

    /// The decoded octets, or nil unless `text` is canonical padded base64: a multiple of four characters
    /// from the standard alphabet, `=` only as the final one or two, unused bits zero, no whitespace.
    public static func decode(_ text: [UInt8]) -> [UInt8]? {
        Base64Codec.decode(text, alphabet: .standard, padded: true)
    }
}
