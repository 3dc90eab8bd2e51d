import Glibc
import Testing

@testable import Posix
@testable import SieveCompiler

/// regcomp itself, called directly, as the oracle for `RegexSyntax`.
func glibcAccepts(_ pattern: String, caseInsensitive: Bool) -> Bool {
    var flags = REG_EXTENDED | REG_NOSUB
    if caseInsensitive { flags |= REG_ICASE }
    var compiled = regex_t()
    let code = regcomp(&compiled, pattern, flags)
    regfree(&compiled)
    return code == 0
}

/// A deterministic xorshift64 generator, so a failure is reproducible from its seed.
struct XorShift {
    var state: UInt64

    mutating func next() -> UInt64 {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return state
    }

    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
}

@Suite("RegexCheck fast path against regcomp")
struct RegexCheckDifferentialTests {
    /// Rich in ERE specials, with digits for intervals and a few non-ASCII characters (bytes ≥ 0x80).
    static let alphabet: [String] = [
        "a", "b", "z", "A", "Z", "0", "1", "2", "9", ".", "^", "$", "\\", "[", "]", "(", ")", "{", "}", "*", "+",
        "?", "|", "-", ":", ",", "=", "/", "<", "w", "é", "€", "[:alpha:]", "[:digit:]",
    ]

    @Test("random patterns: whenever the fast path says valid, regcomp agrees (both case flags)")
    func randomPatterns() {
        var random = XorShift(state: 0x9E37_79B9_7F4A_7C15)
        var decided = 0
        var disagreements: [String] = []
        let total = 150_000
        for _ in 0..<total {
            var pattern = ""
            for _ in 0..<random.below(13) { pattern += random.pick(Self.alphabet) }
            guard RegexSyntax.isKnownValid(pattern) else { continue }
            decided += 1
            for caseInsensitive in [false, true] where !glibcAccepts(pattern, caseInsensitive: caseInsensitive) {
                disagreements.append(pattern)
            }
        }
        #expect(disagreements.isEmpty, "fast path accepted what regcomp rejects: \(disagreements.prefix(20))")
        // The check is only worth something if the fast path decides a fair share of these.
        #expect(decided > total / 10, "fast path decided only \(decided) of \(total)")
    }

    @Test("patterns built from the subset's grammar: the fast path decides and regcomp agrees")
    func grammarPatterns() {
        var random = XorShift(state: 0xD1B5_4A32_D192_ED03)
        var decided = 0
        var disagreements: [String] = []
        let total = 40_000
        for _ in 0..<total {
            let pattern = Self.expression(&random, depth: 0)
            guard RegexSyntax.isKnownValid(pattern) else { continue }
            decided += 1
            for caseInsensitive in [false, true] where !glibcAccepts(pattern, caseInsensitive: caseInsensitive) {
                disagreements.append(pattern)
            }
        }
        #expect(disagreements.isEmpty, "fast path accepted what regcomp rejects: \(disagreements.prefix(20))")
        #expect(decided > total / 4, "fast path decided only \(decided) of \(total)")
    }

    /// Every short pattern over a small alphabet of specials, exhaustively (up to 4 symbols).
    @Test("all patterns of up to four symbols from a small alphabet")
    func exhaustiveShort() {
        let symbols = ["a", "^", "$", "(", ")", "|", "*", "{1}", "[", "]", "-", "\\", "."]
        var patterns = [""]
        var frontier = [""]
        for _ in 0..<4 {
            frontier = frontier.flatMap { prefix in symbols.map { prefix + $0 } }
            patterns += frontier
        }
        var disagreements: [String] = []
        for pattern in patterns where RegexSyntax.isKnownValid(pattern) {
            for caseInsensitive in [false, true] where !glibcAccepts(pattern, caseInsensitive: caseInsensitive) {
                disagreements.append(pattern)
            }
        }
        #expect(disagreements.isEmpty, "fast path accepted what regcomp rejects: \(disagreements.prefix(20))")
    }

    // MARK: - A random generator for the subset (with some mistakes on purpose)

    static func expression(_ random: inout XorShift, depth: Int) -> String {
        var branches: [String] = []
        for _ in 0...(random.below(4) == 0 ? random.below(3) : 0) {
            branches.append(branch(&random, depth: depth))
        }
        return branches.joined(separator: "|")
    }

    static func branch(_ random: inout XorShift, depth: Int) -> String {
        var text = random.below(4) == 0 ? "^" : ""
        for _ in 0..<(1 + random.below(4)) {
            text += atom(&random, depth: depth)
            if random.below(3) == 0 { text += quantifier(&random) }
        }
        if random.below(4) == 0 { text += "$" }
        return text
    }

    static func atom(_ random: inout XorShift, depth: Int) -> String {
        switch random.below(depth < 3 ? 6 : 5) {
        case 0: return random.pick(["a", "x", "Z", "7", "é", "-", ":", "@", " ", "]", ","])
        case 1: return "."
        case 2: return "\\" + random.pick(["\\", ".", "[", "]", "(", ")", "{", "}", "*", "+", "?", "|", "^", "$", "/"])
        case 3, 4: return bracket(&random)
        default: return "(" + expression(&random, depth: depth + 1) + ")"
        }
    }

    static func bracket(_ random: inout XorShift) -> String {
        var text = "[" + (random.below(3) == 0 ? "^" : "")
        if random.below(6) == 0 { text += "]" }
        if random.below(6) == 0 { text += "-" }
        for _ in 0..<(1 + random.below(3)) {
            switch random.below(5) {
            case 0: text += random.pick(["a", "Q", "5", ".", "_", "%", "+", "\\", "é", "[", "$", "*"])
            case 1: text += random.pick(["a-z", "A-Z", "0-9", "c-f", "3-7", "z-a", "a-Z", "0-a", "a-a"])
            case 2: text += "[:" + random.pick(["alpha", "digit", "upper", "space", "punct", "xdigit", "word"]) + ":]"
            case 3: text += random.pick(["[.a.]", "[=a=]", "[:", "-"])
            default: text += random.pick(["b", "Y"])
            }
        }
        if random.below(6) == 0 { text += "-" }
        return text + "]"
    }

    static func quantifier(_ random: inout XorShift) -> String {
        switch random.below(5) {
        case 0: return "*"
        case 1: return "+"
        case 2: return "?"
        default:
            let low = random.pick([0, 1, 2, 9, 255, 256])
            switch random.below(3) {
            case 0: return "{\(low)}"
            case 1: return "{\(low),}"
            default: return "{\(low),\(low + random.pick([0, 1, 3, -1]))}"
            }
        }
    }
}
