// RFC 5228 §2.7 (match types and comparators), RFC 5229 §3.2 (match variables), RFC 5231 (relational).

/// RFC 4790 comparators Pigeonhole implements.
enum Comparator: Equatable {
    case octet, asciiCasemap, asciiNumeric

    init?(name: [UInt8]) {
        switch String(decoding: name, as: UTF8.self) {
        case "i;octet": self = .octet
        case "i;ascii-casemap": self = .asciiCasemap
        case "i;ascii-numeric": self = .asciiNumeric
        default: return nil
        }
    }

    var name: String {
        switch self {
        case .octet: return "i;octet"
        case .asciiCasemap: return "i;ascii-casemap"
        case .asciiNumeric: return "i;ascii-numeric"
        }
    }

    func fold(_ c: UInt8) -> UInt8 { self == .asciiCasemap && c >= 0x41 && c <= 0x5A ? c | 0x20 : c }

    /// i;ascii-numeric: the leading digits' value; none (+infinity) when the string does not start with one.
    static func numericValue(_ s: [UInt8]) -> [UInt8]? {
        var digits = s.prefix { $0 >= 0x30 && $0 <= 0x39 }
        guard !digits.isEmpty else { return nil }
        while digits.count > 1, digits.first == 0x30 { digits.removeFirst() }
        return Array(digits)
    }

    /// The ordering of two values under this comparator (-1, 0, 1).
    func order(_ a: [UInt8], _ b: [UInt8]) -> Int {
        switch self {
        case .asciiNumeric:
            let x = Comparator.numericValue(a)
            let y = Comparator.numericValue(b)
            switch (x, y) {
            case (nil, nil): return 0
            case (nil, _): return 1
            case (_, nil): return -1
            case (let x?, let y?):
                if x.count != y.count { return x.count < y.count ? -1 : 1 }
                return x.lexicographicallyPrecedes(y) ? -1 : (x == y ? 0 : 1)
            }
        case .octet, .asciiCasemap:
            let n = min(a.count, b.count)
            for i in 0..<n {
                let p = fold(a[i])
                let q = fold(b[i])
                if p != q { return p < q ? -1 : 1 }
            }
            return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
        }
    }

    func equals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        if self == .asciiNumeric { return order(a, b) == 0 }
        guard a.count == b.count else { return false }
        for i in 0..<a.count where fold(a[i]) != fold(b[i]) { return false }
        return true
    }

    func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        if needle.isEmpty { return true }
        guard haystack.count >= needle.count else { return false }
        let first = fold(needle[0])
        var i = 0
        while i + needle.count <= haystack.count {
            if fold(haystack[i]) == first {
                var k = 1
                while k < needle.count && fold(haystack[i + k]) == fold(needle[k]) { k += 1 }
                if k == needle.count { return true }
            }
            i += 1
        }
        return false
    }
}

/// RFC 5231 relational operators.
enum RelationalOperator: String {
    case gt, ge, lt, le, eq, ne
    func holds(_ order: Int) -> Bool {
        switch self {
        case .gt: return order > 0
        case .ge: return order >= 0
        case .lt: return order < 0
        case .le: return order <= 0
        case .eq: return order == 0
        case .ne: return order != 0
        }
    }
}

enum MatchType: Equatable {
    case `is`, contains, matches, regex
    case value(RelationalOperator)
    case count(RelationalOperator)

    var name: String {
        switch self {
        case .is: return ":is"
        case .contains: return ":contains"
        case .matches: return ":matches"
        case .regex: return ":regex"
        case .value(let op): return ":value \"\(op.rawValue)\""
        case .count(let op): return ":count \"\(op.rawValue)\""
        }
    }
}

/// `:matches` patterns: `*` any octets, `?` one octet, `\` quotes the next character.
enum Wildcard {
    private enum Piece {
        case literal(UInt8)
        case one
    }

    /// Whether `value` matches `pattern`; on a match, the text each wildcard matched, in order (the first
    /// `*` as short as possible, RFC 5229 §3.2).
    static func match(_ value: [UInt8], _ pattern: [UInt8], _ comparator: Comparator) -> [[UInt8]]? {
        // Split into segments separated by "*".
        var segments: [[Piece]] = [[]]
        var i = 0
        while i < pattern.count {
            let c = pattern[i]
            if c == 0x5C, i + 1 < pattern.count {
                segments[segments.count - 1].append(.literal(pattern[i + 1]))
                i += 2
                continue
            }
            if c == 0x2A {
                segments.append([])
            } else if c == 0x3F {
                segments[segments.count - 1].append(.one)
            } else {
                segments[segments.count - 1].append(.literal(c))
            }
            i += 1
        }
        func fits(_ segment: [Piece], at pos: Int) -> Bool {
            guard pos + segment.count <= value.count else { return false }
            for (k, piece) in segment.enumerated() {
                if case .literal(let c) = piece, comparator.fold(value[pos + k]) != comparator.fold(c) { return false }
            }
            return true
        }
        var captures: [[UInt8]] = []
        func captureOnes(_ segment: [Piece], at pos: Int) {
            for (k, piece) in segment.enumerated() {
                if case .one = piece { captures.append([value[pos + k]]) }
            }
        }
        if segments.count == 1 {
            guard value.count == segments[0].count, fits(segments[0], at: 0) else { return nil }
            captureOnes(segments[0], at: 0)
            return captures
        }
        let first = segments[0]
        let last = segments[segments.count - 1]
        guard first.count + last.count <= value.count, fits(first, at: 0), fits(last, at: value.count - last.count)
        else { return nil }
        captureOnes(first, at: 0)
        var cur = first.count
        let end = value.count - last.count
        for segment in segments[1..<(segments.count - 1)] {
            var p = cur
            while p + segment.count <= end && !fits(segment, at: p) { p += 1 }
            guard p + segment.count <= end else { return nil }
            captures.append(Array(value[cur..<p]))
            captureOnes(segment, at: p)
            cur = p + segment.count
        }
        captures.append(Array(value[cur..<end]))
        captureOnes(last, at: end)
        return captures
    }
}

/// `:regex` keys that are plain text: a match needs that text in the value, which is found without compiling
/// the expression (a filter script's :regex rules mostly fail, and regcomp costs more than the search).
enum RegexLiteral {
    /// The text a POSIX extended expression made only of ASCII literals (an optional leading `^` and trailing
    /// `$`, metacharacters escaped with `\`) requires; nil for any other expression.
    static func required(_ pattern: [UInt8]) -> [UInt8]? {
        var literal: [UInt8] = []
        var i = 0
        var end = pattern.count
        if i < end, pattern[i] == 0x5E { i += 1 }
        if end > i, pattern[end - 1] == 0x24, end < 2 || pattern[end - 2] != 0x5C { end -= 1 }
        while i < end {
            let c = pattern[i]
            if c == 0x5C {
                // Only an escaped metacharacter is a literal: glibc gives \w, \b, \1, … other meanings.
                guard i + 1 < end, isMeta(pattern[i + 1]) else { return nil }
                literal.append(pattern[i + 1])
                i += 2
                continue
            }
            guard c >= 0x20, c < 0x7F, !isMeta(c) else { return nil }
            literal.append(c)
            i += 1
        }
        return literal.isEmpty ? nil : literal
    }

    private static func isMeta(_ c: UInt8) -> Bool {
        switch c {
        case 0x2E, 0x5B, 0x5D, 0x28, 0x29, 0x2A, 0x2B, 0x3F, 0x7B, 0x7D, 0x7C, 0x5E, 0x24, 0x5C: return true
        default: return false
        }
    }

    /// Whether `literal` (ASCII) occurs in `value`, ASCII letters compared case-insensitively when asked.
    static func occurs(_ literal: [UInt8], in value: [UInt8], caseInsensitive: Bool) -> Bool {
        guard literal.count <= value.count else { return false }
        func fold(_ c: UInt8) -> UInt8 { caseInsensitive && c >= 0x41 && c <= 0x5A ? c | 0x20 : c }
        let key = literal.map(fold)
        let first = key[0]
        for start in 0...(value.count - key.count) where fold(value[start]) == first {
            var k = 1
            while k < key.count, fold(value[start + k]) == key[k] { k += 1 }
            if k == key.count { return true }
        }
        return false
    }
}
