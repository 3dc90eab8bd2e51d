// RFC 2046 §5.1 (multipart): the message's parts found in one pass over its lines.
//
// Every line is looked at once: header sections are read where a part starts, and a line starting with "--"
// is compared with the boundaries of the multiparts still open (innermost first; an outer boundary also ends
// the parts inside it). A part's body ends before the line break that precedes the boundary line.

struct MIMEBuilder {
    let bytes: [UInt8]
    let limits: MessageLimits
    var parts: [MIMEPart] = []
    private var headerFields = 0
    /// Open multiparts whose boundaries can still appear: (part index, boundary).
    private var boundaries: [(part: Int, boundary: [UInt8])] = []
    /// The parts whose bodies are still open, outermost first.
    private var open: [Int] = []

    init(bytes: [UInt8], limits: MessageLimits) {
        self.bytes = bytes
        self.limits = limits
    }

    mutating func run() throws(MessageError) {
        let (headers, bodyStart) = try readHeaders(from: 0)
        parts.append(makePart(headers: headers, bodyStart: bodyStart, parent: -1, depth: 0))
        open = [0]
        try enter(0)
        var pos = parts[0].bodyStart
        let end = bytes.count
        scan: while pos < end && !boundaries.isEmpty {
            let lineEnd = Self.lineEnd(bytes, from: pos)
            let next = lineEnd < end ? lineEnd + 1 : end
            if bytes[pos] == 0x2D, pos + 1 < lineEnd, bytes[pos + 1] == 0x2D,
                let (level, closing) = matchBoundary(at: pos + 2, lineEnd: lineEnd)
            {
                let owner = boundaries[level].part
                let bodyEnd = Self.endBeforeLineBreak(bytes, at: pos)
                // Close every part inside the owner.
                while let last = open.last, last != owner {
                    parts[last].bodyEnd = max(parts[last].bodyStart, bodyEnd)
                    open.removeLast()
                }
                if closing {
                    boundaries.removeSubrange(level...)
                } else {
                    boundaries.removeSubrange((level + 1)...)
                    if parts.count >= limits.maxParts {
                        boundaries.removeAll()
                        break scan
                    }
                    let (headers, childBody) = try readHeaders(from: next)
                    let child = parts.count
                    parts.append(
                        makePart(headers: headers, bodyStart: childBody, parent: owner, depth: parts[owner].depth + 1))
                    parts[owner].children.append(child)
                    open.append(child)
                    try enter(child)
                    pos = childBody
                    continue
                }
            }
            // Only a line starting with "--" can be a boundary: the lines in between need not be split.
            pos = Self.nextDashLine(bytes, after: pos)
        }
        for index in open where parts[index].bodyEnd < 0 { parts[index].bodyEnd = end }
        for index in parts.indices where parts[index].bodyEnd < 0 { parts[index].bodyEnd = end }
    }

    /// Registers a new part's boundary (multipart) or embedded message (message/rfc822), within the limits.
    private mutating func enter(_ index: Int) throws(MessageError) {
        var current = index
        while true {
            let part = parts[current]
            guard part.depth < limits.maxDepth, parts.count < limits.maxParts else { return }
            if part.isMultipart {
                if let boundary = part.parameter("boundary"), !boundary.isEmpty {
                    boundaries.append((current, Array(boundary.utf8)))
                }
                return
            }
            guard part.contentType == "message/rfc822" else { return }
            let (headers, bodyStart) = try readHeaders(from: part.bodyStart)
            let child = parts.count
            parts.append(makePart(headers: headers, bodyStart: bodyStart, parent: current, depth: part.depth + 1))
            parts[current].children.append(child)
            open.append(child)
            current = child
        }
    }

    /// The innermost open boundary the line (after its "--") starts with, and whether it is a closing one.
    private func matchBoundary(at start: Int, lineEnd: Int) -> (Int, Bool)? {
        for level in boundaries.indices.reversed() {
            let b = boundaries[level].boundary
            guard lineEnd - start >= b.count else { continue }
            var same = true
            for k in 0..<b.count where bytes[start + k] != b[k] {
                same = false
                break
            }
            guard same else { continue }
            let after = start + b.count
            let closing = after + 1 < lineEnd && bytes[after] == 0x2D && bytes[after + 1] == 0x2D
            return (level, closing)
        }
        return nil
    }

    private func makePart(headers: [HeaderField], bodyStart: Int, parent: Int, depth: Int) -> MIMEPart {
        var contentType = "text/plain"
        var parameters: [(name: String, value: String)] = []
        if parent >= 0, parts[parent].contentType == "multipart/digest" { contentType = "message/rfc822" }
        if let field = headers.first(where: { $0.hasName("content-type") }),
            let parsed = ContentType.parse(field.value)
        {
            contentType = parsed.type
            parameters = parsed.parameters
        }
        var encoding = "7bit"
        if let field = headers.first(where: { $0.hasName("content-transfer-encoding") }) {
            encoding = Ascii.lowercased(field.value.filter { !Ascii.isWhite($0) })
        }
        return MIMEPart(
            headers: headers, bodyStart: bodyStart, bodyEnd: -1, parent: parent, children: [], depth: depth,
            contentType: contentType, parameters: parameters, transferEncoding: encoding)
    }

    /// RFC 5322 §2.2: header fields up to the first empty line (or the end). Returns them and where the
    /// body starts.
    private mutating func readHeaders(from start: Int) throws(MessageError) -> ([HeaderField], Int) {
        var fields: [HeaderField] = []
        var name: ArraySlice<UInt8>? = nil
        var value: [UInt8] = []
        var pos = start
        let end = bytes.count
        func finish() throws(MessageError) {
            guard let n = name else { return }
            while let last = value.last, Ascii.isWhite(last) { value.removeLast() }
            headerFields += 1
            if headerFields > limits.maxHeaderFields { throw .tooManyHeaderFields(limit: limits.maxHeaderFields) }
            fields.append(HeaderField(name: String(decoding: n, as: UTF8.self), value: value))
            name = nil
            value = []
        }
        while pos < end {
            let lineEnd = Self.lineEnd(bytes, from: pos)
            let next = lineEnd < end ? lineEnd + 1 : end
            let contentEnd = lineEnd > pos && bytes[lineEnd - 1] == 0x0D ? lineEnd - 1 : lineEnd
            if contentEnd == pos {
                try finish()
                return (fields, next)
            }
            if Ascii.isWhite(bytes[pos]) {
                // A continuation line: the line break is dropped, the white space kept.
                if name != nil { value += bytes[pos..<contentEnd] }
            } else {
                try finish()
                if let colon = bytes[pos..<contentEnd].firstIndex(of: 0x3A) {
                    var nameEnd = colon
                    while nameEnd > pos, Ascii.isWhite(bytes[nameEnd - 1]) { nameEnd -= 1 }
                    if nameEnd > pos {
                        name = bytes[pos..<nameEnd]
                        var v = colon + 1
                        while v < contentEnd, Ascii.isWhite(bytes[v]) { v += 1 }
                        value = Array(bytes[v..<contentEnd])
                    }
                }
            }
            pos = next
        }
        try finish()
        return (fields, end)
    }

    /// The index of the LF ending the line that starts at `pos`, or the end of the bytes.
    static func lineEnd(_ bytes: [UInt8], from pos: Int) -> Int {
        var i = pos
        let end = bytes.count
        while i < end && bytes[i] != 0x0A { i += 1 }
        return i
    }

    /// The start of the first line after `pos` that begins with "--", or the end of the bytes. Runs of 32 and
    /// 8 bytes without a dash are passed over at once (base64 and most text lines have none, so this is where
    /// a large body's scan spends its time); each dash is checked for an LF before it and a dash after it.
    static func nextDashLine(_ bytes: [UInt8], after pos: Int) -> Int {
        // A zero byte in word ^ "--------" is a dash; the subtraction test finds one without missing any (it
        // may also flag a byte above one, which the byte check then settles).
        @inline(__always) func mayHaveDash(_ word: UInt64) -> UInt64 {
            let x = word ^ 0x2D2D_2D2D_2D2D_2D2D
            return (x &- 0x0101_0101_0101_0101) & ~x & 0x8080_8080_8080_8080
        }
        return bytes.withUnsafeBufferPointer { p in
            let n = p.count
            var i = pos + 1
            while i < n {
                if i + 32 <= n {
                    let at = UnsafeRawPointer(p.baseAddress! + i)
                    let any =
                        mayHaveDash(at.loadUnaligned(as: UInt64.self))
                        | mayHaveDash(at.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
                        | mayHaveDash(at.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
                        | mayHaveDash(at.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
                    if any == 0 {
                        i += 32
                        continue
                    }
                }
                if i + 8 <= n, mayHaveDash(UnsafeRawPointer(p.baseAddress! + i).loadUnaligned(as: UInt64.self)) == 0 {
                    i += 8
                    continue
                }
                if p[i] == 0x2D, p[i - 1] == 0x0A, i + 1 < n, p[i + 1] == 0x2D { return i }
                i += 1
            }
            return n
        }
    }

    /// `pos` (a line start) moved back over the line break before it.
    static func endBeforeLineBreak(_ bytes: [UInt8], at pos: Int) -> Int {
        var p = pos
        if p > 0 && bytes[p - 1] == 0x0A { p -= 1 }
        if p > 0 && bytes[p - 1] == 0x0D { p -= 1 }
        return p
    }
}

/// RFC 2045 §5.1: `type "/" subtype *(";" parameter)`.
enum ContentType {
    static func parse(_ value: [UInt8]) -> (type: String, parameters: [(name: String, value: String)])? {
        var i = 0
        let n = value.count
        func skipSpace() {
            while i < n {
                if Ascii.isWhite(value[i]) {
                    i += 1
                } else if value[i] == 0x28 {
                    i = Ascii.endOfComment(value, from: i)
                } else {
                    break
                }
            }
        }
        func token() -> ArraySlice<UInt8> {
            let start = i
            while i < n, isTokenChar(value[i]) { i += 1 }
            return value[start..<i]
        }
        skipSpace()
        let type = token()
        skipSpace()
        guard !type.isEmpty, i < n, value[i] == 0x2F else { return nil }
        i += 1
        skipSpace()
        let subtype = token()
        guard !subtype.isEmpty else { return nil }
        var parameters: [(name: String, value: String)] = []
        while true {
            skipSpace()
            guard i < n, value[i] == 0x3B else { break }
            i += 1
            skipSpace()
            let name = token()
            skipSpace()
            guard !name.isEmpty, i < n, value[i] == 0x3D else { continue }
            i += 1
            skipSpace()
            var v: [UInt8] = []
            if i < n, value[i] == 0x22 {
                i += 1
                while i < n, value[i] != 0x22 {
                    if value[i] == 0x5C, i + 1 < n { i += 1 }
                    v.append(value[i])
                    i += 1
                }
                if i < n { i += 1 }
            } else {
                v = Array(token())
            }
            parameters.append((Ascii.lowercased(name), String(decoding: v, as: UTF8.self)))
        }
        return (Ascii.lowercased(type) + "/" + Ascii.lowercased(subtype), parameters)
    }

    /// RFC 2045 token: any CHAR except SPACE, CTLs and tspecials.
    static func isTokenChar(_ c: UInt8) -> Bool {
        guard c > 0x20 && c < 0x7F else { return false }
        switch c {
        case 0x28, 0x29, 0x3C, 0x3E, 0x40, 0x2C, 0x3B, 0x3A, 0x5C, 0x22, 0x2F, 0x5B, 0x5D, 0x3F, 0x3D: return false
        default: return true
        }
    }
}
