import Glibc

/// Charset conversion to UTF-8 through glibc's iconv, for the message parser (which is pure and is handed
/// this as a closure): RFC 2047 encoded words and MIME bodies in any charset the system knows.
public enum Iconv {
    /// `bytes` in `charset` converted to UTF-8; nil when iconv does not know the charset or the text is not
    /// valid in it.
    public static func toUTF8(charset: String, bytes: [UInt8]) -> [UInt8]? {
        let cd = iconv_open("UTF-8", charset)
        if cd == iconv_t(bitPattern: -1) { return nil }
        defer { iconv_close(cd) }
        if bytes.isEmpty { return [] }
        var input = bytes
        var output = [UInt8](repeating: 0, count: bytes.count * 4 + 16)
        let ok = input.withUnsafeMutableBufferPointer { inBuf -> Int? in
            output.withUnsafeMutableBufferPointer { outBuf -> Int? in
                var inPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(inBuf.baseAddress!)
                    .assumingMemoryBound(to: CChar.self)
                var inLeft = inBuf.count
                var outPtr: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(outBuf.baseAddress!)
                    .assumingMemoryBound(to: CChar.self)
                var outLeft = outBuf.count
                if iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft) == -1 { return nil }
                return outBuf.count - outLeft
            }
        }
        guard let written = ok else { return nil }
        return Array(output[0..<written])
    }
}
