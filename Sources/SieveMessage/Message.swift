// RFC 5322 (message format) and RFC 2045/2046 (MIME): a message as the Sieve interpreter sees it.

/// Bounds against a hostile message. Parsing is one linear pass whatever the input: a message over
/// `maxSize` or with more header fields than `maxHeaderFields` is refused; MIME parts beyond `maxParts` or
/// nested deeper than `maxDepth` are not split further (their text stays the body of the enclosing part,
/// as Dovecot's message parser does).
public struct MessageLimits: Equatable, Sendable {
    /// Largest message accepted, in octets.
    public var maxSize: Int
    /// Most header fields in the whole message (every part's counted).
    public var maxHeaderFields: Int
    /// Most MIME parts (Dovecot's default total).
    public var maxParts: Int
    /// Deepest multipart nesting (Dovecot's default).
    public var maxDepth: Int

    public init(maxSize: Int = 64 << 20, maxHeaderFields: Int = 100_000, maxParts: Int = 10_000, maxDepth: Int = 100) {
        self.maxSize = maxSize
        self.maxHeaderFields = maxHeaderFields
        self.maxParts = maxParts
        self.maxDepth = maxDepth
    }
}

public enum MessageError: Error, Equatable, Sendable {
    case tooLarge(size: Int, limit: Int)
    case tooManyHeaderFields(limit: Int)

    public var message: String {
        switch self {
        case .tooLarge(let size, let limit): return "the message has \(size) octets, more than the limit of \(limit)"
        case .tooManyHeaderFields(let limit): return "the message has more than \(limit) header fields"
        }
    }
}

/// One header field: its name as written and its value unfolded (line breaks dropped, the white space
/// that followed them kept, leading and trailing white space trimmed), not yet RFC 2047-decoded.
public struct HeaderField: Equatable, Sendable {
    public var name: String
    public var value: [UInt8]
    public init(name: String, value: [UInt8]) {
        self.name = name
        self.value = value
    }
    /// Case-insensitive name comparison (ASCII, as RFC 5322 field names are).
    public func hasName(_ other: String) -> Bool { Ascii.equalsIgnoringCase(name.utf8, other.utf8) }
}

/// A MIME part: its header fields, where its body is in the message, and what its Content-Type says.
public struct MIMEPart: Sendable {
    public var headers: [HeaderField]
    /// The body's octets are `Message.bytes[bodyStart..<bodyEnd]` (for a multipart, preamble to epilogue).
    public var bodyStart: Int
    public var bodyEnd: Int
    /// Index of the enclosing part in `Message.parts` (-1 for the message itself).
    public var parent: Int
    /// Indexes of the direct children, in order.
    public var children: [Int]
    public var depth: Int
    /// Content-Type, lower-cased; `text/plain` when absent (or `message/rfc822` in a multipart/digest).
    public var contentType: String
    public var parameters: [(name: String, value: String)]
    /// Content-Transfer-Encoding, lower-cased (`7bit` when absent).
    public var transferEncoding: String

    public var mediaType: String { String(contentType.split(separator: "/", maxSplits: 1).first ?? "") }
    public var mediaSubtype: String {
        let pieces = contentType.split(separator: "/", maxSplits: 1)
        return pieces.count == 2 ? String(pieces[1]) : ""
    }
    public func parameter(_ name: String) -> String? {
        parameters.first { Ascii.equalsIgnoringCase($0.name.utf8, name.utf8) }?.value
    }
    public var isMultipart: Bool { mediaType == "multipart" }
}

/// A parsed message. `parts[0]` is the message itself (its headers are the message's header fields);
/// the others follow in the order they appear.
public struct Message: Sendable {
    public let bytes: [UInt8]
    public private(set) var parts: [MIMEPart]
    public var headers: [HeaderField] { parts[0].headers }
    /// The octet count (what the Sieve `size` test compares: the file's size, line endings as they are).
    public var size: Int { bytes.count }

    public static func parse(_ bytes: [UInt8], limits: MessageLimits = .init()) throws(MessageError) -> Message {
        if bytes.count > limits.maxSize { throw .tooLarge(size: bytes.count, limit: limits.maxSize) }
        var builder = MIMEBuilder(bytes: bytes, limits: limits)
        try builder.run()
        return Message(bytes: bytes, parts: builder.parts)
    }

    private init(bytes: [UInt8], parts: [MIMEPart]) {
        self.bytes = bytes
        self.parts = parts
    }

    /// The values of the message's header fields named `name` (case-insensitive), in order.
    public func values(of name: String) -> [[UInt8]] { parts[0].headers.filter { $0.hasName(name) }.map(\.value) }

    /// Whether a header field named `name` is present.
    public func has(_ name: String) -> Bool { parts[0].headers.contains { $0.hasName(name) } }

    /// Replaces the message's own header fields (editheader): later tests see the edited list.
    public mutating func setHeaders(_ headers: [HeaderField]) { parts[0].headers = headers }

    /// The raw octets of part `index`'s body.
    public func body(of index: Int) -> ArraySlice<UInt8> { bytes[parts[index].bodyStart..<parts[index].bodyEnd] }
}

/// ASCII helpers (header names, tokens and parameters are ASCII by definition).
enum Ascii {
    static func lower(_ c: UInt8) -> UInt8 { c >= 0x41 && c <= 0x5A ? c | 0x20 : c }
    static func equalsIgnoringCase<A: Collection, B: Collection>(_ a: A, _ b: B) -> Bool
    where A.Element == UInt8, B.Element == UInt8 {
        guard a.count == b.count else { return false }
        return zip(a, b).allSatisfy { lower($0) == lower($1) }
    }
    static func lowercased<C: Collection>(_ s: C) -> String where C.Element == UInt8 {
        String(decoding: s.map(lower), as: UTF8.self)
    }
    static func isWhite(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 }

    /// RFC 5322 §3.2.2: the index after the comment that opens at `start` (a "("), nested comments and
    /// quoted pairs included; the end of `v` when it is not closed. A trailing "\" ends the value.
    static func endOfComment(_ v: [UInt8], from start: Int) -> Int {
        let n = v.count
        var i = start
        var depth = 0
        while i < n {
            if v[i] == 0x5C {
                i = min(i + 2, n)
                continue
            }
            if v[i] == 0x28 { depth += 1 }
            if v[i] == 0x29 { depth -= 1 }
            i += 1
            if depth == 0 { break }
        }
        return i
    }
}
