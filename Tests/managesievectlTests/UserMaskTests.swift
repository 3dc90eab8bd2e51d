import Testing

@testable import managesievectl

@Suite("UserMask: doveadm's -u wildcards")
struct UserMaskTests {
    @Test(
        "matches",
        arguments: [
            ("*", "alice"), ("*", ""), ("a*", "alice"), ("a*", "a"), ("*@example.org", "carol@example.org"),
            ("?ob", "bob"), ("a*e", "alice"), ("*li*", "alice"), ("a**e", "alice"), ("alice", "alice"),
            ("*a*b*", "xaxxb"), ("b?b*", "bobby"),
        ])
    func matches(mask: String, name: String) {
        #expect(UserMask.matches(mask, name))
    }

    @Test(
        "does not match",
        arguments: [
            ("a*", "bob"), ("*@example.org", "carol@example.org.evil"), ("?ob", "bbob"), ("alice", "Alice"),
            ("alice", "alice2"), ("a*e", "alic"), ("*@example.org", "example.org"), ("?", ""),
            ("a?", "a"),
        ])
    func doesNotMatch(mask: String, name: String) {
        #expect(!UserMask.matches(mask, name))
    }

    @Test("a plain name is not a pattern")
    func plainName() {
        #expect(!UserMask.isPattern("alice@example.org"))
        #expect(UserMask.isPattern("a*"))
        #expect(UserMask.isPattern("b?b"))
    }

    @Test("many stars stay linear, not exponential")
    func manyStars() {
        let mask = String(repeating: "*a", count: 200) + "b"
        let name = String(repeating: "a", count: 5_000)
        #expect(!UserMask.matches(mask, name))
    }
}
