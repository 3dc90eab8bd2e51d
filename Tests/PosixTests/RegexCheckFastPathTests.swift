import Testing

@testable import Posix
@testable import SieveCompiler

@Suite("RegexCheck fast path")
struct RegexCheckFastPathTests {
    /// Keys from bench/gen_script.py and the valid cases of Tests/SieveCompilerTests/Corpus, plus common
    /// shapes of real filters.
    static let realistic = [
        "^\\[ticket-2-[0-9]+\\]", "^\\[ticket-19999-[0-9]+\\]", "^(re|fwd?):", "[a-z0-9._%+-]+@example\\.org$", ".*",
        "^$", "x{2,5}", "a+b", "^(a|b)$", "^1", "[[:alpha:]]+@[[:digit:]]+", "^(bob|alice)$", "a",
        "^\\[list\\] .*$", "a^b$c", "^(a+)+$", "^a", "\\[PRJ-[0-9]+\\]", "\\{", "", "^[a-z]+@example\\.(com|org)$",
        "(foo|bar)*", "[[:alpha:]]", "^[^@]+@(.+\\.)?example\\.com$", "[0-9]{3}-[0-9]{4}", "^Größe: [0-9]+ €$",
        "^\\*\\*\\*SPAM\\*\\*\\*", "[[:space:]]*$", "^(.*)@(.*)$", "[]a]", "[^]a-]",
    ]

    @Test("realistic patterns are decided by the fast path and regcomp agrees", arguments: realistic)
    func realisticDecided(pattern: String) {
        #expect(RegexSyntax.isKnownValid(pattern))
        #expect(RegexCheck.check(pattern, caseInsensitive: false) == nil)
        #expect(RegexCheck.check(pattern, caseInsensitive: true) == nil)
        #expect(glibcAccepts(pattern, caseInsensitive: false))
        #expect(glibcAccepts(pattern, caseInsensitive: true))
    }

    /// Invalid patterns and glibc's own words for them (glibc 2.36): the fast path never answers these.
    static let invalid: [(String, String)] = [
        ("a(", "Unmatched ( or \\("),
        ("(a", "Unmatched ( or \\("),
        ("[z-a]", "Invalid range end"),
        ("*a", "Invalid preceding regular expression"),
        ("^*", "Invalid preceding regular expression"),
        ("{abc}", "Invalid preceding regular expression"),
        ("(?=a)", "Invalid preceding regular expression"),
        ("x{3,2}", "Invalid content of \\{\\}"),
        ("a{", "Unmatched \\{"),
        ("a{2", "Unmatched \\{"),
        ("a{1,99999}", "Regular expression too big"),
        ("\\2(a)", "Invalid back reference"),
        ("[[:frob:]]", "Invalid character class name"),
        ("abc\\", "Trailing backslash"),
        ("[abc", "Unmatched [, [^, [:, [., or [="),
        ("[a-", "Unmatched [, [^, [:, [., or [="),
    ]

    @Test("invalid patterns still get glibc's message", arguments: invalid)
    func invalidMessages(pattern: String, message: String) {
        #expect(!RegexSyntax.isKnownValid(pattern))
        #expect(RegexCheck.check(pattern, caseInsensitive: false) == message)
        #expect(RegexCheck.check(pattern, caseInsensitive: true) == message)
    }

    /// glibc accepts these although they are outside the subset (or outside POSIX): regcomp decides.
    static let gnuValid = [
        "a**", "a+?", "()", "a|", "|a", "a)", "}", "[[.a.]]", "[[=a=]]", "a{,5}", "\\w+", "\\<a\\>", "(a)\\1",
    ]

    @Test("valid GNU corner cases go to regcomp and stay valid", arguments: gnuValid)
    func gnuCornerCases(pattern: String) {
        #expect(!RegexSyntax.isKnownValid(pattern))
        #expect(RegexCheck.check(pattern, caseInsensitive: false) == nil)
        #expect(RegexCheck.check(pattern, caseInsensitive: true) == nil)
    }

    @Test("weights: long repetitions and deep nesting go to regcomp")
    func limits() {
        #expect(RegexSyntax.isKnownValid("a{255}"))
        #expect(!RegexSyntax.isKnownValid("a{256}"))
        #expect(!RegexSyntax.isKnownValid("((a{255}){255}){255}"))
        #expect(RegexCheck.check("((a{255}){255}){255}", caseInsensitive: false) == nil)
        let deep = String(repeating: "(", count: 40) + "a" + String(repeating: ")", count: 40)
        #expect(!RegexSyntax.isKnownValid(deep))
        #expect(RegexCheck.check(deep, caseInsensitive: false) == nil)
        let shallow = String(repeating: "(", count: 20) + "a" + String(repeating: ")", count: 20)
        #expect(RegexSyntax.isKnownValid(shallow))
        #expect(!RegexSyntax.isKnownValid(String(repeating: "a", count: RegexSyntax.maxWeight + 1)))
        #expect(!RegexSyntax.isKnownValid(String(repeating: "^", count: RegexSyntax.maxWeight + 1)))
        #expect(!RegexSyntax.isKnownValid(String(repeating: "a|", count: RegexSyntax.maxWeight) + "a"))
        #expect(RegexSyntax.isKnownValid(String(repeating: "a|", count: 100) + "a"))
    }

    @Test("escapes that are GNU operators or back references are not taken as literals")
    func operatorEscapes() {
        for escape in ["\\w", "\\W", "\\s", "\\S", "\\b", "\\B", "\\<", "\\>", "\\`", "\\'", "\\1", "\\n"] {
            #expect(!RegexSyntax.isKnownValid(escape), "\(escape)")
        }
        for escape in ["\\.", "\\/", "\\-", "\\\\", "\\|", "\\(", "\\)"] {
            #expect(RegexSyntax.isKnownValid(escape), "\(escape)")
        }
    }
}
