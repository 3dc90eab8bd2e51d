// RFC 5228 §8.1 (lexical tokens). Works on bytes; never builds a String per character.

/// One lexical token with the position of its first octet.
struct Token: Sendable {
    enum Kind: Equatable, Sendable {
        case identifier(String)
        case tag(String)
        case number(UInt64)
        /// A quoted or multi-line string, decoded (escapes and dot-stuffing removed).
        case string([UInt8], multiline: Bool)
        case leftBracket, rightBracket, leftParen, rightParen, leftBrace, rightBrace, comma, semicolon
        case endOfFile
        /// Bytes that start no token; the lexer already reported them.
        case invalid
    }
    var kind: Kind
    var line: Int
    var column: Int
    /// For an identifier or a tag: its interned name (`NameTable`).
    var nameID: Int32 = -1
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
    static func isIdentifierChar(_ b: UInt8) -> Bool { isAlpha(b) || isDigit(b) || b == 0x5F }

    /// white-space = 1*(SP / CRLF / HTAB) / comment
    private mutating func skipWhitespaceAndComments() {
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
                let startColumn = column
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

    mutating func next() -> Token {
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
                guard let (name, id) = identifier(startLine: startLine, startColumn: startColumn) else {
                    return token(.invalid)
                }
                return Token(kind: .tag(name), line: startLine, column: startColumn, nameID: id)
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
            guard let (name, id) = identifier(startLine: startLine, startColumn: startColumn) else {
                return token(.invalid)
            }
            return Token(kind: .identifier(name), line: startLine, column: startColumn, nameID: id)
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
    private mutating func identifier(startLine: Int, startColumn: Int) -> (String, Int32)? {
        let start = offset
        // Scripts repeat a few names thousands of times: the String made for the same bytes is reused,
        // found by a hash taken while scanning.
        var hash: UInt32 = 2_166_136_261
        offset = bytes.withUnsafeBufferPointer { buffer in
            var i = start
            while i < buffer.count {
                let b = buffer[i]
                guard Lexer.isIdentifierChar(b) else { break }
                hash = (hash ^ UInt32(b)) &* 16_777_619
                i += 1
            }
            return i
        }
        let length = offset - start
        if length > limits.maxIdentifierLength {
            let shown = String(decoding: bytes[start..<(start + min(length, 29))], as: UTF8.self)
            diagnostics.error(.identifierTooLong(shown), line: startLine, column: startColumn)
            return nil
        }
        let slot = Int((hash ^ (hash >> 16)) & UInt32(IdentifierCache.size - 1))
        if let cached = identifierCache.lookup(slot: slot, bytes, start, offset) { return cached }
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
        identifierCache.store(slot: slot, key: bytes[start..<offset], name: name, id: id)
        return (name, id)
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
        let (end, closed) = bytes.withUnsafeBufferPointer { buffer -> (Int, Bool) in
            var end = begin
            while end < buffer.count, end - begin <= maxLength {
                let c = buffer[end]
                if c == 0x22 || c == 0x5C || c == 0x0A || c == 0x0D || c == 0 { break }
                end += 1
            }
            return (end, end < buffer.count && buffer[end] == 0x22 && end - begin <= maxLength)
        }
        if closed {
            let out = bytes.withUnsafeBufferPointer { Array(UnsafeBufferPointer(rebasing: $0[begin..<end])) }
            offset = end + 1
            return .string(out, multiline: false)
        }
        var out = [UInt8]()
        out.reserveCapacity(end - offset + 16)
        var tooLong = false
        while offset < bytes.count {
            var c = bytes[offset]
            if c == 0x22 {
                offset += 1
                if tooLong {
                    diagnostics.error(
                        .stringTooLong(limit: limits.maxStringLength), line: startLine, column: startColumn)
                    return .invalid
                }
                return .string(out, multiline: false)
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
            if out.count < limits.maxStringLength { out.append(c) } else { tooLong = true }
            offset += 1
        }
        diagnostics.error(.unterminatedString(startLine: startLine), line: line, column: column)
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
        var out = [UInt8]()
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
                    if tooLong {
                        diagnostics.error(
                            .stringTooLong(limit: limits.maxStringLength), line: startLine, column: startColumn)
                        return .invalid
                    }
                    return .string(out, multiline: true)
                }
                if lineBegin + 1 < contentEnd, bytes[lineBegin + 1] == 0x2E { from = lineBegin + 1 }
            }
            for i in from..<end {
                c = bytes[i]
                if c == 0 { diagnostics.error(.nulCharacter, line: line, column: i - lineStart + 1) }
                if c == 0x0D, i + 1 != end {
                    diagnostics.error(.strayCarriageReturn(startLine: startLine), line: line, column: i - lineStart + 1)
                }
                if out.count < limits.maxStringLength { out.append(c) } else { tooLong = true }
            }
            if end < bytes.count {
                if out.count < limits.maxStringLength { out.append(0x0A) } else { tooLong = true }
                newline(at: end)
                offset = end + 1
            } else {
                offset = end
            }
        }
        diagnostics.error(.unterminatedMultiline(startLine: startLine), line: line, column: column)
        return .invalid
    }
}

/// A small cache from an identifier's bytes (as written) to its lower-cased String: open addressing with
/// a few probes; when they are all taken, the first slot is replaced.
struct IdentifierCache {
    static let size = 256
    static let probes = 4
    private var keys = [[UInt8]](repeating: [], count: IdentifierCache.size)
    private var names = [String](repeating: "", count: IdentifierCache.size)
    private var ids = [Int32](repeating: -1, count: IdentifierCache.size)

    func lookup(slot: Int, _ bytes: [UInt8], _ start: Int, _ end: Int) -> (String, Int32)? {
        for p in 0..<IdentifierCache.probes {
            let index = (slot + p) & (IdentifierCache.size - 1)
            let found = keys.withUnsafeBufferPointer { keys -> Bool? in
                let key = keys[index]
                if key.isEmpty { return nil }
                guard key.count == end - start else { return false }
                return key.withUnsafeBufferPointer { key in
                    bytes.withUnsafeBufferPointer { bytes in
                        var i = start
                        for b in key {
                            if b != bytes[i] { return false }
                            i += 1
                        }
                        return true
                    }
                }
            }
            switch found {
            case nil: return nil
            case true?: return (names[index], ids[index])
            case false?: continue
            }
        }
        return nil
    }

    mutating func store(slot: Int, key: ArraySlice<UInt8>, name: String, id: Int32) {
        var index = slot
        for p in 0..<IdentifierCache.probes {
            let candidate = (slot + p) & (IdentifierCache.size - 1)
            if keys[candidate].isEmpty {
                index = candidate
                break
            }
        }
        keys[index] = Array(key)
        names[index] = name
        ids[index] = id
    }
}
