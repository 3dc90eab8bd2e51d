// RFC 7515 §2 / RFC 4648 §5: base64url without padding, as JWS compact serialisation and JWKs use it.

/// Strict unpadded base64url (`Base64Codec` with the URL alphabet).
public enum Base64URL {
    /// The decoded octets, or nil unless `text` is canonical unpadded base64url: only the URL-safe alphabet,
    /// no `=`, no whitespace, a length that is not 1 modulo 4, and zero bits where the last character has
    /// unused ones (so that one token has exactly one spelling).
    public static func decode<C: Collection<UInt8>>(_ text: C) -> [UInt8]? {
        Base64Codec.decode(text, alphabet: .url, padded: false)
    }

    /// The unpadded encoding of `bytes`.
    public static func encode(_ bytes: [UInt8]) -> String {
        String(decoding: Base64Codec.encode(bytes, alphabet: .url, padded: false), as: UTF8.self)
    }
}
