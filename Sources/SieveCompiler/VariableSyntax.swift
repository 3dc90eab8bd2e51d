// RFC 5229 §3 (variable references) and RFC 5228 §2.4.2.4 (encoded characters) inside strings.
//   variable-ref = "${" [namespace] variable-name "}"
//   namespace = identifier "."
//   variable-name = num-variable / identifier

enum VariableSyntax {
    /// One well-formed reference, as offsets into the string: its first and last identifier (the number, for
    /// a num-variable) and how many dot-separated parts it has (`${env.x}`: first "env", last "x", 2 parts).
    struct ReferenceSpan {
        var first: Range<Int>
        var last: Range<Int>
        var parts: Int
        var isNumeric: Bool
    }

    /// Calls `body` for each well-formed reference, in order, until it returns false; anything else is
    /// literal text. The one scanner of the reference grammar (the validator's checks and `containsReference`).
    static func forEachReference(_ s: UnsafeBufferPointer<UInt8>, _ body: (ReferenceSpan) -> Bool) {
        let n = s.count
        var i = 0
        while i + 1 < n {
            guard s[i] == 0x24, s[i + 1] == 0x7B else {
                i += 1
                continue
            }
            var j = i + 2
            var ok = true
            var span = ReferenceSpan(first: 0..<0, last: 0..<0, parts: 0, isNumeric: false)
            if j < n, Lexer.isDigit(s[j]) {
                let start = j
                while j < n, Lexer.isDigit(s[j]) { j += 1 }
                span.first = start..<j
                span.last = span.first
                span.parts = 1
                span.isNumeric = true
            } else {
                while true {
                    guard j < n, Lexer.isIdentifierStart(s[j]) else {
                        ok = false
                        break
                    }
                    let start = j
                    while j < n, Lexer.isIdentifierChar(s[j]) { j += 1 }
                    if span.parts == 0 { span.first = start..<j }
                    span.last = start..<j
                    span.parts += 1
                    if j < n, s[j] == 0x2E {
                        j += 1
                        continue
                    }
                    break
                }
            }
            guard ok, j < n, s[j] == 0x7D, span.parts > 0 else {
                i += 2
                continue
            }
            i = j + 1
            guard body(span) else { return }
        }
    }

    /// Whether the string has a "${" at all (a cheap pre-check for `forEachReference`).
    static func mayContainReference(_ s: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        while i + 1 < s.count {
            if s[i] == 0x24, s[i + 1] == 0x7B { return true }
            i += 1
        }
        return false
    }

    /// Whether the string holds a well-formed reference.
    static func containsReference(_ s: UnsafeBufferPointer<UInt8>) -> Bool {
        var found = false
        forEachReference(s) { _ in
            found = true
            return false
        }
        return found
    }

    /// identifier = (ALPHA / "_") *(ALPHA / DIGIT / "_"), optionally namespaced with dots.
    static func isValidVariableName(_ s: [UInt8], allowNamespace: Bool) -> Bool {
        guard !s.isEmpty else { return false }
        var atStart = true
        for b in s {
            if atStart {
                guard Lexer.isIdentifierStart(b) else { return false }
                atStart = false
            } else if b == 0x2E {
                guard allowNamespace else { return false }
                atStart = true
            } else if !Lexer.isIdentifierChar(b) {
                return false
            }
        }
        return !atStart
    }

    /// Decodes `${hex:41 42}` and `${unicode:263A}` (case-insensitive, blanks allowed); malformed
    /// sequences stay as they are. Also returns the first code point of a well-formed `${unicode:…}` that is
    /// none (above U+10FFFF, or a surrogate), as written; that sequence stays as written too.
    static func decodeEncodedCharacters(_ s: [UInt8]) -> (bytes: [UInt8], invalidUnicode: String?) {
        guard s.count >= 4 else { return (s, nil) }
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        var invalidUnicode: String? = nil
        var i = 0
        let n = s.count
        while i < n {
            guard i + 1 < n, s[i] == 0x24, s[i + 1] == 0x7B else {
                out.append(s[i])
                i += 1
                continue
            }
            var j = i + 2
            let ws = j
            while j < n, Lexer.isAlpha(s[j]) { j += 1 }
            let word = String(decoding: s[ws..<j].map(Lexer.lower), as: UTF8.self)
            guard (word == "hex" || word == "unicode"), j < n, s[j] == 0x3A else {
                out.append(s[i])
                i += 1
                continue
            }
            j += 1
            var decoded: [UInt8] = []
            // Only blanks and runs of hex digits up to the "}"; at least one value; every value decodable.
            var wellFormed = true
            var sawValue = false
            var decodable = true
            var badCodePoint: String? = nil
            while j < n, s[j] != 0x7D {
                if s[j] == 0x20 || s[j] == 0x09 || s[j] == 0x0D || s[j] == 0x0A { j += 1; continue }
                let hs = j
                while j < n, isHex(s[j]) { j += 1 }
                if hs == j {
                    wellFormed = false
                    break
                }
                sawValue = true
                guard decodable else { continue }
                var value: UInt32 = 0
                for k in hs..<j {
                    value = value > 0x10FFFF ? value : value * 16 + UInt32(hexValue(s[k]))
                }
                if word == "hex" {
                    if j - hs > 2 && value > 0xFF {
                        decodable = false
                    } else {
                        decoded.append(UInt8(truncatingIfNeeded: value))
                    }
                } else if let scalar = Unicode.Scalar(value) {
                    decoded.append(contentsOf: Array(String(Character(scalar)).utf8))
                } else {
                    decodable = false
                    badCodePoint = String(decoding: s[hs..<j], as: UTF8.self)
                }
            }
            guard wellFormed, j < n, sawValue, decodable else {
                if wellFormed, j < n, invalidUnicode == nil { invalidUnicode = badCodePoint }
                out.append(s[i])
                i += 1
                continue
            }
            out.append(contentsOf: decoded)
            i = j + 1
        }
        return (out, invalidUnicode)
    }

    static func isHex(_ b: UInt8) -> Bool { Lexer.isDigit(b) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66) }
    static func hexValue(_ b: UInt8) -> UInt8 {
        if Lexer.isDigit(b) { return b - 0x30 }
        return (b | 0x20) - 0x61 + 10
    }
}

/// Patterns whose matching can take exponential time on a backtracking engine.
enum RegexRisk {
    /// About 20 MB and 15 ms of regcomp work.
    static let maxExpandedSize = 100_000
    /// For all patterns of one script together: about 300 ms of regcomp work.
    static let maxTotalExpandedSize = 2_000_000

    /// A quantified group that itself contains an unbounded quantifier: `(a+)+`, `(a*)*`, `(a|aa)+`.
    static func isCatastrophic(_ p: [UInt8]) -> Bool {
        var stack: [Bool] = []  // per open group: contains an unbounded quantifier
        var i = 0
        var inClass = false
        while i < p.count {
            let c = p[i]
            if inClass {
                if c == 0x5D { inClass = false }
                i += 1
                continue
            }
            switch c {
            case 0x5C: i += 2; continue
            case 0x5B: inClass = true
            case 0x28: stack.append(false)
            case 0x29:
                let inner = stack.popLast() ?? false
                let next: UInt8? = i + 1 < p.count ? p[i + 1] : nil
                let quantified = next == 0x2B || next == 0x2A || (next == 0x7B && unboundedBrace(p, i + 1))
                if inner && quantified { return true }
                if (inner || quantified), !stack.isEmpty { stack[stack.count - 1] = true }
            case 0x2B, 0x2A:
                if !stack.isEmpty { stack[stack.count - 1] = true }
            case 0x7B:
                if unboundedBrace(p, i), !stack.isEmpty { stack[stack.count - 1] = true }
            default: break
            }
            i += 1
        }
        return false
    }

    /// How many atoms a POSIX regex compiler builds for `p` once bounded repetitions are expanded
    /// (`(a{1000}){1000}` is a million): glibc's regcomp takes time and memory in proportion, so a
    /// hostile pattern could stall the server. Saturates instead of overflowing.
    static func expandedSize(_ p: [UInt8]) -> Int {
        let cap = 1 << 40
        // Per open group: (size so far, size of the last atom in it).
        var stack: [(total: Int, last: Int)] = [(0, 0)]
        var i = 0
        func add(_ n: Int) {
            stack[stack.count - 1].total = min(cap, stack[stack.count - 1].total + n)
            stack[stack.count - 1].last = n
        }
        while i < p.count {
            let c = p[i]
            switch c {
            case 0x5C:  // \x
                add(1)
                i += 2
                continue
            case 0x5B:  // bracket expression: one atom
                add(1)
                i = CostEstimator.endOfBracket(p, i)
                continue
            case 0x28:
                if stack.count > 256 { return cap }
                stack.append((0, 0))
            case 0x29:
                if stack.count > 1 {
                    let group = stack.removeLast()
                    add(max(1, group.total))
                }
            case 0x7C:
                stack[stack.count - 1].last = 0
            case 0x7B:
                var j = i + 1
                var low = 0
                var high: Int? = nil
                while j < p.count, Lexer.isDigit(p[j]) { low = min(100_000, low * 10 + Int(p[j] - 0x30)); j += 1 }
                if j < p.count, p[j] == 0x2C {
                    j += 1
                    var h = 0
                    var digits = false
                    while j < p.count, Lexer.isDigit(p[j]) {
                        h = min(100_000, h * 10 + Int(p[j] - 0x30)); j += 1; digits = true
                    }
                    high = digits ? h : low + 1
                }
                if j < p.count, p[j] == 0x7D {
                    let factor = max(1, high ?? low)
                    let last = stack[stack.count - 1].last
                    let extra =
                        last > 0 && factor > 1
                        ? min(
                            cap, last.multipliedReportingOverflow(by: factor - 1).overflow ? cap : last * (factor - 1))
                        : 0
                    stack[stack.count - 1].total = min(cap, stack[stack.count - 1].total + extra)
                    stack[stack.count - 1].last = min(cap, last * factor)
                    i = j + 1
                    continue
                }
                add(1)
            case 0x2A, 0x2B, 0x3F:
                break
            default:
                add(1)
            }
            i += 1
        }
        var total = 0
        for level in stack { total = min(cap, total + level.total) }
        return total
    }

    /// `{n,}` at `i`.
    private static func unboundedBrace(_ p: [UInt8], _ i: Int) -> Bool {
        var j = i + 1
        while j < p.count, Lexer.isDigit(p[j]) { j += 1 }
        return j + 1 < p.count && p[j] == 0x2C && p[j + 1] == 0x7D
    }

    /// Three or more `*` in a row in a `:matches` pattern (each costs a backtracking level).
    static func hasManyStars(_ p: [UInt8]) -> Bool { p.withUnsafeBufferPointer(hasManyStars) }

    static func hasManyStars(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
        var run = 0
        var i = 0
        while i < p.count {
            if p[i] == 0x5C { run = 0; i += 2; continue }
            if p[i] == 0x2A { run += 1; if run >= 3 { return true } } else if p[i] != 0x3F { run = 0 }
            i += 1
        }
        return false
    }
}

/// Did-you-mean suggestions by edit distance.
enum Suggest {
    static func distance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        // Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours.
        var before = [Int](repeating: 0, count: b.count + 1)
        var prev = Array(0...b.count)
        var cur = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            cur[0] = i
            for j in 1...b.count {
                let cost = Lexer.lower(a[i - 1]) == Lexer.lower(b[j - 1]) ? 0 : 1
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
                if i > 1, j > 1, Lexer.lower(a[i - 1]) == Lexer.lower(b[j - 2]),
                    Lexer.lower(a[i - 2]) == Lexer.lower(b[j - 1])
                {
                    cur[j] = min(cur[j], before[j - 2] + 1)
                }
            }
            (before, prev, cur) = (prev, cur, before)
        }
        return prev[b.count]
    }

    /// The closest candidate within a distance that scales with the word's length, or nil.
    static func closest(to word: String, in candidates: [String]) -> String? {
        let w = Array(word.utf8)
        guard w.count <= 64 else { return nil }
        let limit = max(1, min(3, w.count / 3))
        var best: (String, Int)? = nil
        for c in candidates where c != word {
            let d = distance(w, Array(c.utf8))
            if d <= limit, best == nil || d < best!.1 { best = (c, d) }
        }
        return best?.0
    }
}
