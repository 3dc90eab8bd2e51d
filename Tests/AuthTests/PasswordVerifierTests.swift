import Testing

@testable import Auth

private let hello = Array("Hello world!".utf8)

@Suite("PasswordVerifier")
struct PasswordVerifierTests {
    // Known answers (the SHA-crypt ones are from Drepper's specification; the others were made with an
    // independent crypt(3) caller with fixed salts).
    static let knownHashes = [
        "{SHA512-CRYPT}$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1",
        "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1",
        "{SHA256-CRYPT}$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5",
        "{MD5-CRYPT}$1$saltsalt$le8lFSqqnPaRFOlmAZpvH1",
        "{BLF-CRYPT}$2b$05$abcdefghijklmnopqrstuu7nFISH/8YdwlXD3lw69A4iBUf6fvWAW",
        "{CRYPT}$y$j9T$abcdefghijklmnop$0v6Ko7oUZq5OJ/QdGzXAIGx/msmd/7GzdAiapbd6PD7",
        "$y$j9T$abcdefghijklmnop$0v6Ko7oUZq5OJ/QdGzXAIGx/msmd/7GzdAiapbd6PD7",
        "{crypt}$1$saltsalt$le8lFSqqnPaRFOlmAZpvH1",
        "{PLAIN}Hello world!",
        "{CLEARTEXT}Hello world!",
    ]

    @Test("known hashes verify the right password and refuse wrong ones", arguments: knownHashes)
    func knownAnswers(stored: String) {
        #expect(PasswordVerifier.verify(hello, against: stored))
        #expect(!PasswordVerifier.verify(Array("Hello world?".utf8), against: stored))
        #expect(!PasswordVerifier.verify(Array("Hello world".utf8), against: stored))
        #expect(!PasswordVerifier.verify([], against: stored))
        #expect(!PasswordVerifier.verify(hello + [0], against: stored))
        #expect(!PasswordVerifier.verify(hello + [0, 0x61], against: stored))
    }

    @Test("every scheme hashes with a fresh salt and verifies", arguments: PasswordScheme.allCases)
    func hashAndVerify(scheme: PasswordScheme) throws {
        let password = Array("correct horse ✓".utf8)
        let first = try PasswordHasher.hash(password, scheme: scheme)
        let second = try PasswordHasher.hash(password, scheme: scheme)
        #expect(first.hasPrefix(scheme.tag))
        #expect(first != second, "salts must differ")
        #expect(PasswordVerifier.verify(password, against: first))
        #expect(PasswordVerifier.verify(password, against: second))
        #expect(!PasswordVerifier.verify(Array("correct horse".utf8), against: first))
        // A bare crypt hash (without the tag) verifies too; SCRAM, Argon2 and PBKDF2 data need their tag.
        #expect(
            PasswordVerifier.verify(password, against: String(first.dropFirst(scheme.tag.count))) == scheme.isCrypt)
    }

    @Test("scheme names and tags")
    func schemeNames() {
        #expect(PasswordScheme(name: "sha512-crypt") == .sha512Crypt)
        #expect(PasswordScheme(name: "CRYPT") == .yescrypt)
        #expect(PasswordScheme(name: "yescrypt") == .yescrypt)
        #expect(PasswordScheme(name: "scram-sha-1") == .scramSHA1)
        #expect(PasswordScheme(name: "SCRAM-SHA-512") == nil)
        #expect(PasswordScheme.yescrypt.tag == "{CRYPT}")
        #expect(PasswordScheme.blfCrypt.tag == "{BLF-CRYPT}")
    }

    @Test("the hash prefix must match the named scheme")
    func schemeMismatch() {
        #expect(!PasswordVerifier.verify(hello, against: "{SHA512-CRYPT}$1$saltsalt$le8lFSqqnPaRFOlmAZpvH1"))
        #expect(
            !PasswordVerifier.verify(
                hello, against: "{MD5-CRYPT}$5$saltstring$5B8vYYiY.CVt1RlTTf8KbXBH3hsxY/GNooZaBBGWEc5"))
    }

    @Test(
        "unknown schemes, empty and invalid fields never verify",
        arguments: [
            "", "{PLAIN}", "{SHA512-CRYPT}", "{UNKNOWN}Hello world!", "{SCRAM-SHA-256}4096,abc,def", "*", "!",
            "!$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1",
            "$6$saltstring$", "Hello world!", "{PLAIN",
            "$y$j9T$abcdefghijklmnop$0000000000000000000000000000000000000000000",
        ])
    func neverVerifies(stored: String) {
        #expect(!PasswordVerifier.verify(hello, against: stored))
        #expect(!PasswordVerifier.verify([], against: stored))
    }

    @Test("a password with NUL is refused, even when the stored text matches up to it")
    func nulPassword() {
        #expect(!PasswordVerifier.verify(Array("a\0b".utf8), against: "{PLAIN}a\0b"))
        #expect(!PasswordVerifier.verify(Array("secret\0junk".utf8), against: "{PLAIN}secret"))
        #expect(throws: AuthError.passwordContainsNUL) { try PasswordHasher.hash([0x61, 0], scheme: .sha512Crypt) }
    }

    @Test("burnEquivalentWork hashes with a setting crypt(3) accepts, so an unknown user costs a real $6$ hash")
    func burn() throws {
        // A malformed dummy hash would make crypt fail at once: the timing would tell unknown users apart.
        let setting = PasswordVerifier.dummyHash
        for password in [hello, [], [1, 2, 3]] {
            let computed = try #require(Crypt.hash(password, setting: setting))
            #expect(computed.hasPrefix("$6$burnburnburn1234$") && computed.count == setting.count)
            #expect(computed != setting)  // nobody's password: no input verifies against it
        }
    }
}
