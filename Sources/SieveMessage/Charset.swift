/// Converts text in a named charset to UTF-8; nil when the charset is unknown or the text does not convert.
/// The message parser is pure: the caller supplies the conversion (iconv in the executables).
public typealias CharsetConverter = @Sendable (_ charset: String, _ bytes: [UInt8]) -> [UInt8]?

enum Charset {
    /// UTF-8 and US-ASCII (the usual cases) need no converter; anything else goes through it, and text it
    /// cannot convert is kept as it is (Pigeonhole shows an unknown charset's text undecoded).
    static func toUTF8(_ bytes: [UInt8], charset: String, converter: CharsetConverter?) -> [UInt8] {
        let name = Ascii.lowercased(charset.utf8)
        if name == "utf-8" || name == "us-ascii" || name == "utf8" || name.isEmpty { return bytes }
        if !bytes.contains(where: { $0 >= 0x80 }), name != "utf-16", name != "utf-7", !name.hasPrefix("utf-16"),
            !name.hasPrefix("utf-32"), name != "utf-32"
        {
            return bytes
        }
        return converter?(charset, bytes) ?? bytes
    }
}
