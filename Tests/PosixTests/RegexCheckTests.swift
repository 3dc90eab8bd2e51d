import Testing

@testable import Posix

@Suite("RegexCheck")
struct RegexCheckTests {
    @Test(
        "valid POSIX extended patterns pass",
        arguments: ["a+b", "^[a-z]+@example\\.(com|org)$", "(foo|bar)*", "x{2,3}", "[[:alpha:]]", ".*", ""])
    func valid(pattern: String) {
        #expect(RegexCheck.check(pattern, caseInsensitive: false) == nil)
        #expect(RegexCheck.check(pattern, caseInsensitive: true) == nil)
    }

    @Test("invalid patterns return regerror's text", arguments: ["a(", "[abc", "x{3,2}", "(?i)x", "a\\", "[[:nope:]]"])
    func invalid(pattern: String) throws {
        let message = try #require(RegexCheck.check(pattern, caseInsensitive: false))
        #expect(!message.isEmpty)
        #expect(RegexCheck.check(pattern, caseInsensitive: true) != nil)
    }

    @Test("the message is glibc's description of the error")
    func messageText() {
        #expect(RegexCheck.check("a(", caseInsensitive: false) == "Unmatched ( or \\(")
        #expect(RegexCheck.check("[abc", caseInsensitive: false) == "Unmatched [, [^, [:, [., or [=")
    }

    @Test("a NUL in the pattern is refused rather than silently truncated")
    func nul() {
        #expect(RegexCheck.check("a\u{0}(", caseInsensitive: false) == "pattern contains a NUL character")
    }

    @Test("thousands of checks keep giving the same answers (regfree always runs)")
    func repeated() {
        for i in 0..<2000 {
            #expect(RegexCheck.check("(ab|cd){1,\(i % 50 + 1)}", caseInsensitive: i % 3 == 0) == nil)
            #expect(RegexCheck.check("(ab", caseInsensitive: i % 3 == 0) == "Unmatched ( or \\(")
        }
    }
}
