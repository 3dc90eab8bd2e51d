/// A conservative recogniser for a subset of POSIX extended regular expressions (IEEE 1003.1 §9.4) that
/// glibc's `regcomp(REG_EXTENDED|REG_NOSUB[|REG_ICASE])` is known to accept in the C locale.
///
/// Why: the Sieve compiler checks every `:regex` key, and regcomp (`RegexCheck`, through
/// `CompileOptions.regexChecker`) builds the whole automaton only to free it again, a large share of a big
/// CHECKSCRIPT's work. Realistic keys are simple, so a scan of their bytes settles them, in pure code before
/// the checker is asked. The one rule: `isKnownValid` may say true only where
/// regcomp succeeds. Anything it is unsure of — every error, every GNU extension, every corner case —
/// answers false, and the caller asks regcomp, whose message then stays exactly glibc's.
///
/// The subset:
/// - ordinary characters (bytes ≥ 0x80 included: the C locale takes them as plain bytes), `.`, `]`,
///   the anchors `^` and `$` anywhere;
/// - a backslash before one of the punctuation characters glibc treats as a literal (`\.`, `\[`, `\/`,
///   …, but never `\<`, `\>`, `` \` ``, `\'`, letters or digits, which are GNU operators or back
///   references);
/// - bracket expressions: optional `^`, a leading `]`, characters, ranges whose ends are both digits,
///   both lower-case or both upper-case ASCII letters in order, `-` first or last, and the twelve
///   POSIX character classes `[:alpha:]` etc. (no `[.x.]` or `[=x=]`);
/// - non-empty groups, nested at most `maxDepth` deep, and alternation of non-empty branches;
/// - `*`, `+`, `?`, `{n}`, `{n,}`, `{n,m}` (n ≤ m ≤ 255) once, directly after an atom.
///
/// regcomp copies a repeated atom once per repetition, so a weight (roughly its node count, repeated
/// atoms multiplied by their bound) is kept below `maxWeight`: nothing this scan accepts can hit
/// REG_ESIZE or REG_ESPACE.
enum RegexSyntax {
    /// Deepest group nesting the scan follows; deeper patterns go to regcomp.
    static let maxDepth = 32
    /// Largest weight the scan accepts; heavier patterns go to regcomp.
    static let maxWeight = 10_000
    /// Largest repetition bound the scan accepts in `{n,m}`.
    static let maxBound = 255

    /// The weights of the group being scanned.
    private struct Frame {
        /// Sum of the weights of the finished branches (before the last `|`).
        var alternatives = 0
        /// Weight of the current branch so far.
        var branch = 0
        /// Weight of the last atom when a quantifier may follow it, else 0.
        var last = 0
        /// Whether the current branch has an atom or an anchor.
        var hasItem = false

        var total: Int { alternatives + branch }

        /// Adds an atom of `weight`; false when the group gets too heavy.
        mutating func add(atom weight: Int) -> Bool {
            branch += weight
            last = weight
            hasItem = true
            return total <= RegexSyntax.maxWeight
        }

        /// Applies a quantifier that lets the last atom occur up to `copies` times; false when there is
        /// no atom to repeat (start of a branch, after an anchor or another quantifier) or when the group
        /// gets too heavy.
        mutating func repeatLast(copies: Int) -> Bool {
            guard last > 0 else { return false }
            branch += last * copies
            last = 0
            return total <= RegexSyntax.maxWeight
        }
    }

    /// True only if regcomp is sure to accept `pattern` (see the type's description).
    static func isKnownValid(_ pattern: String) -> Bool {
        var copy = pattern
        return copy.withUTF8 { isKnownValid($0) }
    }

    /// True only if regcomp is sure to accept the pattern whose UTF-8 bytes are `bytes`.
    static func isKnownValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        if bytes.isEmpty { return true }
        return withUnsafeTemporaryAllocation(of: Frame.self, capacity: maxDepth) { stack in
            scan(bytes, stack: stack.baseAddress!)
        }
    }

    private static func scan(_ bytes: UnsafeBufferPointer<UInt8>, stack: UnsafeMutablePointer<Frame>) -> Bool {
        let count = bytes.count
        var depth = 0
        var frame = Frame()
        var index = 0
        while index < count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "("):
                guard depth < maxDepth else { return false }
                (stack + depth).initialize(to: frame)
                depth += 1
                frame = Frame()
            case UInt8(ascii: ")"):
                // An unmatched `)` is a literal to glibc but an error to POSIX; an empty group is
                // accepted by glibc but not by POSIX: both go to regcomp.
                guard depth > 0, frame.hasItem else { return false }
                let weight = frame.total + 1
                depth -= 1
                frame = stack[depth]
                guard frame.add(atom: weight) else { return false }
            case UInt8(ascii: "|"):
                guard frame.hasItem else { return false }
                frame.alternatives += frame.branch + 1
                frame.branch = 0
                frame.last = 0
                frame.hasItem = false
            case UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "?"):
                guard frame.repeatLast(copies: 2) else { return false }
            case UInt8(ascii: "{"):
                guard let (bound, next) = interval(bytes, from: index), frame.repeatLast(copies: bound + 1) else {
                    return false
                }
                index = next
            case UInt8(ascii: "^"), UInt8(ascii: "$"):
                frame.branch += 1
                frame.last = 0
                frame.hasItem = true
                guard frame.total <= maxWeight else { return false }
            case UInt8(ascii: "\\"):
                guard index < count, isLiteralEscape(bytes[index]) else { return false }
                index += 1
                guard frame.add(atom: 1) else { return false }
            case UInt8(ascii: "["):
                guard let next = bracketEnd(bytes, from: index) else { return false }
                index = next
                guard frame.add(atom: 1) else { return false }
            case UInt8(ascii: "}"), 0:
                return false
            default:
                // A run of ordinary characters in one step; a quantifier after it repeats only its last.
                var end = index
                while end < count, isOrdinary(bytes[end]) { end += 1 }
                frame.branch += end - index
                index = end
                guard frame.add(atom: 1) else { return false }
            }
        }
        return depth == 0 && frame.hasItem
    }

    /// Scans the rest of an interval `{n}`, `{n,}` or `{n,m}` (after its `{`): returns the larger bound
    /// and the index after the `}`, or nil if it is not one of these with n ≤ m ≤ `maxBound`.
    private static func interval(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> (Int, Int)? {
        guard let (low, afterLow) = number(bytes, from: start), afterLow < bytes.count else { return nil }
        switch bytes[afterLow] {
        case UInt8(ascii: "}"):
            return (low, afterLow + 1)
        case UInt8(ascii: ","):
            let afterComma = afterLow + 1
            guard afterComma < bytes.count else { return nil }
            if bytes[afterComma] == UInt8(ascii: "}") { return (low, afterComma + 1) }
            guard let (high, afterHigh) = number(bytes, from: afterComma), high >= low,
                afterHigh < bytes.count, bytes[afterHigh] == UInt8(ascii: "}")
            else { return nil }
            return (high, afterHigh + 1)
        default:
            return nil
        }
    }

    /// One to three decimal digits with a value ≤ `maxBound`, and the index after them.
    private static func number(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> (Int, Int)? {
        var index = start
        var value = 0
        while index < bytes.count, index - start < 3, isDigit(bytes[index]) {
            value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
            index += 1
        }
        guard index > start, value <= maxBound else { return nil }
        if index < bytes.count, isDigit(bytes[index]) { return nil }
        return (value, index)
    }

    /// Scans the rest of a bracket expression (after its `[`) and returns the index after its closing
    /// `]`, or nil if it leaves the subset.
    private static func bracketEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        let count = bytes.count
        var index = start
        if index < count, bytes[index] == UInt8(ascii: "^") { index += 1 }
        let first = index
        while index < count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "]") where index > first:
                return index + 1
            case UInt8(ascii: "["):
                guard index + 1 < count else { return nil }
                switch bytes[index + 1] {
                case UInt8(ascii: ":"):
                    guard let next = classEnd(bytes, from: index + 2) else { return nil }
                    index = next
                case UInt8(ascii: "."), UInt8(ascii: "="):
                    return nil
                default:
                    index += 1
                }
                // A class or a `[` cannot start a range: only a `-` that ends the list may follow.
                if index < count, bytes[index] == UInt8(ascii: "-"), !isClosing(bytes, index + 1) { return nil }
            case UInt8(ascii: "-"):
                guard index == first || isClosing(bytes, index + 1) else { return nil }
                index += 1
            case 0:
                return nil
            default:
                index += 1
                guard index < count, bytes[index] == UInt8(ascii: "-"), !isClosing(bytes, index + 1) else {
                    continue
                }
                // A range: both ends digits, lower-case or upper-case letters, in order.
                guard index + 1 < count, isRange(from: byte, to: bytes[index + 1]) else { return nil }
                index += 2
            }
        }
        return nil
    }

    /// Whether the byte at `index` exists and is `]`.
    private static func isClosing(_ bytes: UnsafeBufferPointer<UInt8>, _ index: Int) -> Bool {
        index < bytes.count && bytes[index] == UInt8(ascii: "]")
    }

    /// Scans a class name after `[:` and its `:]`; returns the index after them if the name is one of
    /// POSIX's twelve.
    private static func classEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var index = start
        while index < bytes.count, index - start <= 6, isLower(bytes[index]) { index += 1 }
        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: ":"), bytes[index + 1] == UInt8(ascii: "]")
        else { return nil }
        let name = UnsafeBufferPointer(rebasing: bytes[start..<index])
        guard classNames.contains(where: { $0.withUTF8Buffer { $0.elementsEqual(name) } }) else { return nil }
        return index + 2
    }

    private static let classNames: [StaticString] = [
        "alpha", "upper", "lower", "digit", "xdigit", "space", "print", "punct", "graph", "cntrl", "blank", "alnum",
    ]

    private static func isRange(from low: UInt8, to high: UInt8) -> Bool {
        guard low <= high else { return false }
        return (isDigit(low) && isDigit(high)) || (isLower(low) && isLower(high)) || (isUpper(low) && isUpper(high))
    }

    /// Punctuation that glibc's ERE parser takes literally after a backslash (letters, digits, `<`,
    /// `>`, `` ` `` and `'` are GNU operators or back references).
    private static func isLiteralEscape(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "\\"), UInt8(ascii: "."), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "("),
            UInt8(ascii: ")"), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "*"), UInt8(ascii: "+"),
            UInt8(ascii: "?"), UInt8(ascii: "|"), UInt8(ascii: "^"), UInt8(ascii: "$"), UInt8(ascii: "/"),
            UInt8(ascii: "-"), UInt8(ascii: "@"), UInt8(ascii: ":"), UInt8(ascii: ","), UInt8(ascii: "_"),
            UInt8(ascii: "#"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "="), UInt8(ascii: "!"),
            UInt8(ascii: "~"), UInt8(ascii: ";"), UInt8(ascii: "\""), UInt8(ascii: " "):
            return true
        default:
            return false
        }
    }

    /// Bytes that are ERE operators outside a bracket expression (or NUL): `$ ( ) * + . ?` below 64,
    /// `[ \ ^ { | }` from 64 to 127. `]` is ordinary.
    private static let operatorsBelow64: UInt64 =
        1 | 1 << 36 | 1 << 40 | 1 << 41 | 1 << 42 | 1 << 43 | 1 << 46 | 1 << 63
    private static let operatorsFrom64: UInt64 =
        1 << (91 - 64) | 1 << (92 - 64) | 1 << (94 - 64) | 1 << (123 - 64)
        | 1 << (124 - 64) | 1 << (125 - 64)

    /// Whether `byte` stands for itself outside a bracket expression.
    private static func isOrdinary(_ byte: UInt8) -> Bool {
        if byte < 64 { return operatorsBelow64 & (1 << UInt64(byte)) == 0 }
        if byte < 128 { return operatorsFrom64 & (1 << UInt64(byte - 64)) == 0 }
        return true
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
    private static func isLower(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") }
    private static func isUpper(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") }
}
