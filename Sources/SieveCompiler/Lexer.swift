// RFC 5228 §8.1 (lexical tokens). Works on bytes; never builds a String per character. The usual tokens
// take one inlined pass over buffer pointers; identifiers are found in a small cache keyed by their bytes as
// two 64-bit words (`IdentifierCache`).

/// One lexical token with the position of its first octet. Plain data (names are ids, strings are
/// spans), so passing tokens around costs no reference counting.
struct Token: Sendable {
    enum Kind: Equatable, Sendable {
        /// An identifier, by its interned lower-cased name (`Lexer.names`).
        case identifier(Int32)
        /// A tag (without the colon), by its interned lower-cased name.
        case tag(Int32)
        case number(UInt64)
        /// A quoted or multi-line string: where its decoded bytes are (escapes and dot-stuffing removed).
        case string(StringSpan)
        case leftBracket, rightBracket, leftParen, rightParen, leftBrace, rightBrace, comma, semicolon
        case endOfFile
        /// Bytes that start no token; the lexer already reported them.
        case invalid
    }
    var kind: Kind
    var line: Int
    var column: Int
}

/// The byte-level lexer. Errors are reported through `report` and lexing goes on, so the parser sees
/// a usable token stream (an `.invalid` token stands in for bad bytes).
struct Lexer {
    let bytes: [UInt8]
    let limits: CompileLimits
    private(set) var offset = 0
    private(set) var line = 1
    private var lineStart = 0
    var diagnostics: DiagnosticSink
    /// The identifiers met so far, interned.
    private(set) var names = NameTable()
    /// The decoded bytes of strings that are not a plain range of the script.
    private(set) var pool: [UInt8] = []

    /// The span of the string decoded into the pool from `start` on.
    private func poolSpan(from start: Int, isMultiline: Bool) -> StringSpan {
        StringSpan(
            start: start, end: pool.count, inPool: true, isMultiline: isMultiline,
            hasDollar: pool[start...].contains(0x24))
    }

    /// The token of a string decoded into the pool from `start` on, whose closing quote or "." line was just
    /// read: `.invalid` (reported at the string's start, the pool rolled back) when it ran past the length limit.
    @inline(__always)
    private mutating func endString(
        from start: Int, tooLong: Bool, isMultiline: Bool, _ startLine: Int, _ startColumn: Int
    ) -> Token.Kind {
        if tooLong {
            diagnostics.error(.stringTooLong(limit: limits.maxStringLength), line: startLine, column: startColumn)
            pool.removeSubrange(start...)
            return .invalid
        }
        return .string(poolSpan(from: start, isMultiline: isMultiline))
    }

    /// The bytes of a string token.
    func bytes(of span: StringSpan) -> ArraySlice<UInt8> {
        span.inPool ? pool[span.start..<span.end] : bytes[span.start..<span.end]
    }

    init(bytes: [UInt8], limits: CompileLimits, diagnostics: DiagnosticSink) {
        self.bytes = bytes
        self.limits = limits
        self.diagnostics = diagnostics
        // A UTF-8 byte order mark is an error (as Pigeonhole): report it and skip it.
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            diagnostics.error(.byteOrderMark, line: 1, column: 1)
            offset = 3
            lineStart = 3
        }
    }

    private var column: Int { offset - lineStart + 1 }

    private mutating func newline(at index: Int) {
        line += 1
        lineStart = index + 1
    }

    private func peek(_ ahead: Int = 0) -> UInt8? {
        let i = offset + ahead
        return i < bytes.count ? bytes[i] : nil
    }

    static func isAlpha(_ b: UInt8) -> Bool { (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) }
    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    static func isIdentifierStart(_ b: UInt8) -> Bool { isAlpha(b) || b == 0x5F }
    @inline(__always)
    static func isIdentifierChar(_ b: UInt8) -> Bool { (b | 0x20) &- 0x61 < 26 || b &- 0x30 < 10 || b == 0x5F }

    /// white-space = 1*(SP / CRLF / HTAB) / comment
    ///
    /// The usual blanks, line breaks and hash comments are skipped through the buffer pointer; bracket
    /// comments, NUL bytes and a comment at the end of the file take the general loop below.
    private mutating func skipWhitespaceAndComments() {
        var i = offset
        var line = self.line
        var lineStart = self.lineStart
        let general = bytes.withUnsafeBufferPointer { buffer -> Bool in
            guard Lexer.skipUsualBlanks(buffer, &i, &line, &lineStart) else { return true }
            return i < buffer.count && buffer[i] == 0x2F
        }
        offset = i
        self.line = line
        self.lineStart = lineStart
        if general { skipWhitespaceAndCommentsGenerally() }
    }

    /// Skips blanks, line breaks and whole hash comments from `i` up to the next other byte (or the end).
    /// false where the general loop must take over: a NUL in a comment, or a comment running to the end.
    @inline(__always)
    private static func skipUsualBlanks(
        _ buffer: UnsafeBufferPointer<UInt8>, _ i: inout Int, _ line: inout Int, _ lineStart: inout Int
    ) -> Bool {
        let n = buffer.count
        while i < n {
            let b = buffer[i]
            if b == 0x20 || b == 0x09 || b == 0x0D {
                i += 1
            } else if b == 0x0A {
                line += 1
                i += 1
                lineStart = i
            } else if b == 0x23 {
                var j = i + 1
                while j < n {
                    let c = buffer[j]
                    if c == 0x0A { break }
                    if c == 0 { return false }
                    j += 1
                }
                if j >= n { return false }
                i = j
            } else {
                return true
            }
        }
        return true
    }

    private mutating func skipWhitespaceAndCommentsGenerally() {
        while offset < bytes.count {
            let b = bytes[offset]
            switch b {
            case 0x20, 0x09, 0x0D:
                offset += 1
            case 0x0A:
                newline(at: offset)
                offset += 1
            case 0x23:  // hash-comment = "#" *octet-not-crlf CRLF
                while offset < bytes.count, bytes[offset] != 0x0A {
                    if bytes[offset] == 0 { diagnostics.error(.nulCharacter, line: line, column: column) }
                    offset += 1
                }
                if offset >= bytes.count {
                    diagnostics.warning(.hashCommentAtEndOfFile, line: line, column: column)
                }
            // bracket-comment = "/*" *not-star 1*STAR *(not-star-slash *not-star 1*STAR) "/"
            case 0x2F where peek(1) == 0x2A:
                let startLine = line
                offset += 2
                var closed = false
                while offset < bytes.count {
                    let c = bytes[offset]
                    if c == 0x2A, peek(1) == 0x2F {
                        offset += 2
                        closed = true
                        break
                    }
                    if c == 0x0A { newline(at: offset) }
                    if c == 0 { diagnostics.error(.nulCharacter, line: line, column: column) }
                    offset += 1
                }
                if !closed {
                    diagnostics.error(.unterminatedComment(startLine: startLine), line: line, column: column)
                }
            default:
                return
            }
        }
    }

    @inline(__always)
    mutating func next() -> Token {
        if let token = nextUsual() { return token }
        return nextInGeneral()
    }

    /// The usual tokens of a valid script, lexed in one pass through the buffer pointer: blanks and hash
    /// comments, punctuation, strings without escapes or line breaks, identifiers and tags already in the
    /// identifier cache. Anything else (and anything to report) returns nil with the position at the start
    /// of the token, for `nextInGeneral`.
    @inline(__always)
    private mutating func nextUsual() -> Token? {
        var i = offset
        var line = self.line
        var lineStart = self.lineStart
        let maxIdentifier = min(limits.maxIdentifierLength, IdentifierCache.keyCapacity)
        let maxString = limits.maxStringLength
        // The cache's slots are read through a pointer too: a method call on `self` here would copy the lexer.
        let token = identifierCache.withEntries { entries in
            bytes.withUnsafeBufferPointer { buffer -> Token? in
                let n = buffer.count
                guard Lexer.skipUsualBlanks(buffer, &i, &line, &lineStart), i < n else { return nil }
                let column = i - lineStart + 1
                let b = buffer[i]
                switch b {
                case 0x3B: i += 1; return Token(kind: .semicolon, line: line, column: column)
                case 0x2C: i += 1; return Token(kind: .comma, line: line, column: column)
                case 0x5B: i += 1; return Token(kind: .leftBracket, line: line, column: column)
                case 0x5D: i += 1; return Token(kind: .rightBracket, line: line, column: column)
                case 0x28: i += 1; return Token(kind: .leftParen, line: line, column: column)
                case 0x29: i += 1; return Token(kind: .rightParen, line: line, column: column)
                case 0x7B: i += 1; return Token(kind: .leftBrace, line: line, column: column)
                case 0x7D: i += 1; return Token(kind: .rightBrace, line: line, column: column)
                case 0x22:
                    let begin = i + 1
                    let limit = min(n, begin + maxString + 1)
                    var end = begin
                    var dollar = false
                    while end < limit {
                        let c = buffer[end]
                        // Letters are above every byte that matters here.
                        if c <= 0x5C {
                            if c == 0x22 || c == 0x5C || c == 0x0A || c == 0x0D || c == 0 { break }
                            if c == 0x24 { dollar = true }
                        }
                        end += 1
                    }
                    guard end < n, buffer[end] == 0x22, end - begin <= maxString else { return nil }
                    i = end + 1
                    let span = StringSpan(start: begin, end: end, inPool: false, isMultiline: false, hasDollar: dollar)
                    return Token(kind: .string(span), line: line, column: column)
                case 0x3A:
                    guard i + 1 < n, Lexer.isIdentifierStart(buffer[i + 1]),
                        let (id, end) = Lexer.cachedIdentifier(buffer, from: i + 1, maxLength: maxIdentifier, entries)
                    else { return nil }
                    i = end
                    return Token(kind: .tag(id), line: line, column: column)
                default:
                    guard Lexer.isIdentifierStart(b) else { return nil }
                    // "text:" starts a multi-line string.
                    if i + 4 < n, buffer[i + 4] == 0x3A, Lexer.lower(b) == 0x74 { return nil }
                    guard let (id, end) = Lexer.cachedIdentifier(buffer, from: i, maxLength: maxIdentifier, entries)
                    else {
                        return nil
                    }
                    i = end
                    return Token(kind: .identifier(id), line: line, column: column)
                }
            }
        }
        offset = i
        self.line = line
        self.lineStart = lineStart
        return token
    }

    /// The id of the identifier at `start` when the cache has it, and where it ends.
    private static func cachedIdentifier(
        _ buffer: UnsafeBufferPointer<UInt8>, from start: Int, maxLength: Int,
        _ entries: UnsafeBufferPointer<IdentifierCache.Entry>
    ) -> (Int32, Int)? {
        var i = start
        let n = buffer.count
        while i < n, Lexer.isIdentifierChar(buffer[i]) { i += 1 }
        guard i - start <= maxLength,
            let id = IdentifierCache.lookup(entries, buffer, start: start, length: i - start)
        else { return nil }
        return (id, i)
    }

    /// Every token, with its diagnostics.
    private mutating func nextInGeneral() -> Token {
        skipWhitespaceAndComments()
        let startLine = line
        let startColumn = column
        func token(_ kind: Token.Kind) -> Token { Token(kind: kind, line: startLine, column: startColumn) }
        guard offset < bytes.count else { return token(.endOfFile) }
        let b = bytes[offset]
        switch b {
        case 0x5B: offset += 1; return token(.leftBracket)
        case 0x5D: offset += 1; return token(.rightBracket)
        case 0x28: offset += 1; return token(.leftParen)
        case 0x29: offset += 1; return token(.rightParen)
        case 0x7B: offset += 1; return token(.leftBrace)
        case 0x7D: offset += 1; return token(.rightBrace)
        case 0x2C: offset += 1; return token(.comma)
        case 0x3B: offset += 1; return token(.semicolon)
        case 0x22: return token(quotedString(startLine: startLine, startColumn: startColumn))
        case 0x3A:
            if let n = peek(1), Lexer.isIdentifierStart(n) {
                offset += 1
                guard let id = identifier(startLine: startLine, startColumn: startColumn) else {
                    return token(.invalid)
                }
                return token(.tag(id))
            }
            offset += 1
            diagnostics.error(.unexpectedCharacter(":"), line: startLine, column: startColumn)
            return token(.invalid)
        case _ where Lexer.isDigit(b):
            return token(number(startLine: startLine, startColumn: startColumn))
        case _ where Lexer.isIdentifierStart(b):
            // "text:" starts a multi-line string.
            if offset + 5 <= bytes.count, bytes[offset + 4] == 0x3A,
                Lexer.lower(bytes[offset]) == 0x74, Lexer.lower(bytes[offset + 1]) == 0x65,
                Lexer.lower(bytes[offset + 2]) == 0x78, Lexer.lower(bytes[offset + 3]) == 0x74
            {
                offset += 5
                return token(multiline(startLine: startLine, startColumn: startColumn))
            }
            guard let id = identifier(startLine: startLine, startColumn: startColumn) else {
                return token(.invalid)
            }
            return token(.identifier(id))
        case 0:
            diagnostics.error(.nulCharacter, line: startLine, column: startColumn)
            offset += 1
            return token(.invalid)
        default:
            diagnostics.error(.unexpectedCharacter(Lexer.describe(b)), line: startLine, column: startColumn)
            offset += 1
            // Skip the rest of this run of junk so one bad sequence gives one error.
            while offset < bytes.count {
                let c = bytes[offset]
                if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x3B || c == 0x7B || c == 0x7D
                    || c == 0x22 || Lexer.isIdentifierChar(c)
                {
                    break
                }
                offset += 1
            }
            return token(.invalid)
        }
    }

    static func lower(_ b: UInt8) -> UInt8 { (b >= 0x41 && b <= 0x5A) ? b + 0x20 : b }

    static func describe(_ b: UInt8) -> String {
        if b >= 0x21 && b < 0x7F { return String(UnicodeScalar(b)) }
        let hex = Array("0123456789ABCDEF")
        return "\\x" + String(hex[Int(b >> 4)]) + String(hex[Int(b & 15)])
    }

    /// identifier = (ALPHA / "_") *(ALPHA / DIGIT / "_")
    private mutating func identifier(startLine: Int, startColumn: Int) -> Int32? {
        let start = offset
        // Scripts repeat a few names thousands of times: the id found for the same bytes is reused.
        offset = bytes.withUnsafeBufferPointer { buffer in
            var i = start
            while i < buffer.count, Lexer.isIdentifierChar(buffer[i]) { i += 1 }
            return i
        }
        let length = offset - start
        if length > limits.maxIdentifierLength {
            let shown = String(decoding: bytes[start..<(start + min(length, 29))], as: UTF8.self)
            diagnostics.error(.identifierTooLong(shown), line: startLine, column: startColumn)
            return nil
        }
        let cached = bytes.withUnsafeBufferPointer { identifierCache.lookup($0, start: start, length: length) }
        if let cached { return cached }
        var hasUpper = false
        for i in start..<offset where bytes[i] >= 0x41 && bytes[i] <= 0x5A { hasUpper = true }
        let name: String
        if !hasUpper {
            let end = offset
            name = bytes.withUnsafeBufferPointer {
                String(decoding: UnsafeBufferPointer(rebasing: $0[start..<end]), as: UTF8.self)
            }
        } else {
            name = String(decoding: bytes[start..<offset].map(Lexer.lower), as: UTF8.self)
        }
        let id = names.intern(name)
        bytes.withUnsafeBufferPointer { identifierCache.store($0, start: start, length: length, id: id) }
        return id
    }

    private var identifierCache = IdentifierCache()

    /// number = 1*DIGIT [ QUANTIFIER ];  QUANTIFIER = "K" / "M" / "G"
    private mutating func number(startLine: Int, startColumn: Int) -> Token.Kind {
        var value: UInt64 = 0
        var overflow = false
        while offset < bytes.count, Lexer.isDigit(bytes[offset]) {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(bytes[offset] - 0x30))
            if o1 || o2 { overflow = true }
            value = a
            offset += 1
        }
        if offset < bytes.count {
            var shift: UInt64 = 0
            switch bytes[offset] {
            case 0x4B, 0x6B: shift = 10
            case 0x4D, 0x6D: shift = 20
            case 0x47, 0x67: shift = 30
            default: break
            }
            if shift > 0 {
                offset += 1
                if value > (UInt64.max >> shift) { overflow = true }
                value = value &<< shift
            }
        }
        if overflow {
            diagnostics.error(.numberTooLarge, line: startLine, column: startColumn)
            return .invalid
        }
        return .number(value)
    }

    /// quoted-string = DQUOTE quoted-text DQUOTE
    private mutating func quotedString(startLine: Int, startColumn: Int) -> Token.Kind {
        offset += 1
        // Fast path: a string without escapes, line breaks or NUL is copied in one piece.
        let begin = offset
        let maxLength = limits.maxStringLength
        var dollar = false
        let (end, closed) = bytes.withUnsafeBufferPointer { buffer -> (Int, Bool) in
            var end = begin
            while end < buffer.count, end - begin <= maxLength {
                let c = buffer[end]
                // Letters are above every byte that matters here.
                if c <= 0x5C {
                    if c == 0x22 || c == 0x5C || c == 0x0A || c == 0x0D || c == 0 { break }
                    if c == 0x24 { dollar = true }
                }
                end += 1
            }
            return (end, end < buffer.count && buffer[end] == 0x22 && end - begin <= maxLength)
        }
        if closed {
            offset = end + 1
            return .string(StringSpan(start: begin, end: end, inPool: false, isMultiline: false, hasDollar: dollar))
        }
        let poolStart = pool.count
        var tooLong = false
        while offset < bytes.count {
            // A run of bytes that need no care is copied in one piece (as much of it as the limit allows).
            let runEnd = bytes.withUnsafeBufferPointer { buffer in
                var end = offset
                while end < buffer.count {
                    let c = buffer[end]
                    if c <= 0x5C, c == 0x22 || c == 0x5C || c == 0x0A || c == 0x0D || c == 0 { break }
                    end += 1
                }
                return end
            }
            if runEnd > offset {
                let room = limits.maxStringLength - (pool.count - poolStart)
                if runEnd - offset > room { tooLong = true }
                if room > 0 {
                    let end = offset + min(room, runEnd - offset)
                    let start = offset
                    bytes.withUnsafeBufferPointer {
                        pool.append(contentsOf: UnsafeBufferPointer(rebasing: $0[start..<end]))
                    }
                }
                offset = runEnd
                continue
            }
            var c = bytes[offset]
            if c == 0x22 {
                offset += 1
                return endString(from: poolStart, tooLong: tooLong, isMultiline: false, startLine, startColumn)
            }
            if c == 0x5C {
                offset += 1
                guard offset < bytes.count else { break }
                c = bytes[offset]
            }
            if c == 0x0A { newline(at: offset) }
            if c == 0 { diagnostics.error(.nulCharacter, line: line, column: column) }
            if c == 0x0D, peek(1) != 0x0A {
                diagnostics.error(.strayCarriageReturn(startLine: startLine), line: line, column: column)
            }
            if pool.count - poolStart < limits.maxStringLength { pool.append(c) } else { tooLong = true }
            offset += 1
        }
        diagnostics.error(.unterminatedString(startLine: startLine), line: line, column: column)
        pool.removeSubrange(poolStart...)
        return .invalid
    }

    /// multi-line = "text:" *(SP / HTAB) (hash-comment / CRLF) *(multiline-literal / multiline-dotstart) "." CRLF
    private mutating func multiline(startLine: Int, startColumn: Int) -> Token.Kind {
        while offset < bytes.count, bytes[offset] == 0x20 || bytes[offset] == 0x09 { offset += 1 }
        guard offset < bytes.count else {
            diagnostics.error(.unterminatedMultiline(startLine: startLine), line: startLine, column: startColumn)
            return .invalid
        }
        var c = bytes[offset]
        if c == 0x23 {
            while offset < bytes.count, bytes[offset] != 0x0A { offset += 1 }
        } else if c == 0x0D, peek(1) == 0x0A {
            offset += 1
        } else if c != 0x0A {
            diagnostics.error(.badCharacterAfterText(Lexer.describe(c)), line: line, column: column)
            // Recover by skipping to the end of the line; the block is still read.
            while offset < bytes.count, bytes[offset] != 0x0A { offset += 1 }
        }
        guard offset < bytes.count else {
            diagnostics.error(.unterminatedMultiline(startLine: startLine), line: startLine, column: startColumn)
            return .invalid
        }
        newline(at: offset)
        offset += 1
        let poolStart = pool.count
        var tooLong = false
        // Read line by line.
        while offset < bytes.count {
            let lineBegin = offset
            var end = offset
            while end < bytes.count, bytes[end] != 0x0A { end += 1 }
            // end is the LF (or EOF); strip CR before LF.
            var contentEnd = end
            if contentEnd > lineBegin, bytes[contentEnd - 1] == 0x0D { contentEnd -= 1 }
            var from = lineBegin
            if lineBegin < bytes.count, bytes[lineBegin] == 0x2E {
                if contentEnd == lineBegin + 1 && end < bytes.count {
                    // The terminating "." CRLF line.
                    newline(at: end)
                    offset = end + 1
                    return endString(from: poolStart, tooLong: tooLong, isMultiline: true, startLine, startColumn)
                }
                if lineBegin + 1 < contentEnd, bytes[lineBegin + 1] == 0x2E { from = lineBegin + 1 }
            }
            for i in from..<end {
                c = bytes[i]
                if c == 0 { diagnostics.error(.nulCharacter, line: line, column: i - lineStart + 1) }
                if c == 0x0D, i + 1 != end {
                    diagnostics.error(.strayCarriageReturn(startLine: startLine), line: line, column: i - lineStart + 1)
                }
                if pool.count - poolStart < limits.maxStringLength { pool.append(c) } else { tooLong = true }
            }
            if end < bytes.count {
                if pool.count - poolStart < limits.maxStringLength { pool.append(0x0A) } else { tooLong = true }
                newline(at: end)
                offset = end + 1
            } else {
                offset = end
            }
        }
        diagnostics.error(.unterminatedMultiline(startLine: startLine), line: line, column: column)
        pool.removeSubrange(poolStart...)
        return .invalid
    }
}

/// A small cache from an identifier's bytes (as written) to its interned name: open addressing with a few
/// probes; when they are all taken, the first slot is replaced. A key is the identifier's bytes as two
/// zero-padded 64-bit words and its length (identifiers longer than `keyCapacity` are not cached), so a probe
/// is three integer comparisons.
struct IdentifierCache {
    static let size = 256
    static let probes = 4
    static let keyCapacity = 16

    fileprivate struct Entry {
        var word0: UInt64 = 0
        var word1: UInt64 = 0
        /// 0: empty slot (identifiers are never empty).
        var length = 0
        var id: Int32 = -1
    }
    private var entries = [Entry](repeating: Entry(), count: IdentifierCache.size)

    /// The `length` (≤ 16) bytes at `start` as two little-endian words, zero-padded.
    @inline(__always)
    private static func key(_ buffer: UnsafeBufferPointer<UInt8>, start: Int, length: Int) -> (UInt64, UInt64) {
        var word0: UInt64 = 0
        var word1: UInt64 = 0
        if start + 16 <= buffer.count, let base = buffer.baseAddress {
            let raw = UnsafeRawPointer(base + start)
            word0 = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
            word1 = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            if length < 8 {
                word0 &= (1 &<< UInt64(8 * length)) &- 1
                word1 = 0
            } else if length < 16 {
                word1 &= (1 &<< UInt64(8 * (length - 8))) &- 1
            }
        } else {
            for k in 0..<length {
                if k < 8 {
                    word0 |= UInt64(buffer[start + k]) &<< UInt64(8 * k)
                } else {
                    word1 |= UInt64(buffer[start + k]) &<< UInt64(8 * (k - 8))
                }
            }
        }
        return (word0, word1)
    }

    @inline(__always)
    private static func slot(_ key: (UInt64, UInt64), length: Int) -> Int {
        let h = (key.0 &* 0x9E37_79B9_7F4A_7C15) ^ (key.1 &* 0xC2B2_AE3D_27D4_EB4F) ^ UInt64(length)
        return Int(truncatingIfNeeded: (h ^ (h >> 29)) >> 32) & (IdentifierCache.size - 1)
    }

    func lookup(_ buffer: UnsafeBufferPointer<UInt8>, start: Int, length: Int) -> Int32? {
        withEntries { IdentifierCache.lookup($0, buffer, start: start, length: length) }
    }

    fileprivate func withEntries<R>(_ body: (UnsafeBufferPointer<Entry>) -> R) -> R {
        entries.withUnsafeBufferPointer(body)
    }

    @inline(__always)
    fileprivate static func lookup(
        _ entries: UnsafeBufferPointer<Entry>, _ buffer: UnsafeBufferPointer<UInt8>, start: Int, length: Int
    ) -> Int32? {
        guard length <= IdentifierCache.keyCapacity else { return nil }
        let key = IdentifierCache.key(buffer, start: start, length: length)
        let slot = IdentifierCache.slot(key, length: length)
        for p in 0..<IdentifierCache.probes {
            let entry = entries[(slot + p) & (IdentifierCache.size - 1)]
            if entry.length == 0 { return nil }
            if entry.word0 == key.0, entry.word1 == key.1, entry.length == length { return entry.id }
        }
        return nil
    }

    mutating func store(_ buffer: UnsafeBufferPointer<UInt8>, start: Int, length: Int, id: Int32) {
        guard length <= IdentifierCache.keyCapacity else { return }
        let key = IdentifierCache.key(buffer, start: start, length: length)
        let slot = IdentifierCache.slot(key, length: length)
        var index = slot
        for p in 0..<IdentifierCache.probes {
            let candidate = (slot + p) & (IdentifierCache.size - 1)
            if entries[candidate].length == 0 {
                index = candidate
                break
            }
        }
        entries[index] = Entry(word0: key.0, word1: key.1, length: length, id: id)
    }
}
