import Auth
import Testing

private let hello = Array("Hello world!".utf8)

@Suite("StoredPassword (Dovecot's schemes)")
struct StoredPasswordTests {
    // Made by Debian 12's Dovecot 2.3.19.1: `doveadm pw -s SCHEME -p 'Hello world!' -u bob@example.org`
    // (DIGEST-MD5 hashes the user name too). The integration test test_dovecot.py makes fresh ones at run
    // time and logs in with each.
    static let doveadmHashes = [
        "{SSHA}L17ZdxiMAEGyh5r28NbevTdNeObKvU/d",
        "{SSHA256}PsYZY2LNDTLmGmZMVoASo8ST9kX9duM6EnO6sSLK2pnN9UMB",
        "{SSHA512}+26z0QnOSeaXDjM5ALGmujtH5c8ip8tJfj+IWqGl70TIMEl50/BReblYi98gzL6Lr3WhI6MmdDLP4qzsr/KcycEFyU4=",
        "{SHA}00hq6RNueFa8QiEjhep5cJRHWAI=",
        "{SHA1}00hq6RNueFa8QiEjhep5cJRHWAI=",
        "{SHA256}wFNeS+K3n/2TKRMFQ2v4iTFOSj+uwF7P/Lt98xrZ5Ro=",
        "{SHA512}9s3ioPgZMUzd5V/CJ9jX2uPSjMVWIioKitZtkcytSq1glPUXohgjYMmqz2o9wyMWLLb9jN/+2w/gOPVehf+1tg==",
        "{SMD5}I2e+2CMIXYu4n+ohhYf+9o/NNDo=",
        "{PLAIN-MD5}86fb269d190d2c85f6e0468ceca42a20",
        "{LDAP-MD5}hvsmnRkNLIX24EaM7KQqIA==",
        "{MD5}$1$Ml6S.dNE$77Cc2OhDn5dTblWu/IPmU/",
        "{CRAM-MD5}be3fa00ed91dac8efa2f2929dee858c2e9d1232732bba82c2a73c4d157f80e10",
        "{HMAC-MD5}be3fa00ed91dac8efa2f2929dee858c2e9d1232732bba82c2a73c4d157f80e10",
        "{DIGEST-MD5}0d2dce071b17cead86ad180d1bdfccbc",
        "{PLAIN-MD4}0d7a9db5a3bed4ae5738ee6d1909649c",
        "{PBKDF2}$1$Qcvkvx2/RuyZ4o9u$5000$e013c9bb13488c2d5a9807f82399a3913bcdde9c",
        "{ARGON2I}$argon2i$v=19$m=32768,t=4,p=1$dS3Gmi71om5qaB3vEMsxyA$RuDWvsXQlop96QnYU5BRBXKsnIw7H6bXXwl1Nhcee34",
        "{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$Rn7XdJJ3WX1WDHoal8TzoQ$YRv6i+wmEuWzBIkDQY8Urk+sZlJ+xQ3lE63txpSSkJ8",
        "{CLEAR}Hello world!",
        "{PLAIN.B64}SGVsbG8gd29ybGQh",
        "{PLAIN.HEX}48656c6c6f20776f726c6421",
        "{SHA256.HEX}c0535e4be2b79ffd93291305436bf889314e4a3faec05ecffcbb7df31ad9e51a",
        "{SSHA.HEX}7b628483ff0e860fde201db0cecacb88969ade46618f5ce5",
        "{PLAIN-MD5.B64}hvsmnRkNLIX24EaM7KQqIA==",
        "{LDAP-MD5.HEX}86fb269d190d2c85f6e0468ceca42a20",
        "{SHA512.B64}9s3ioPgZMUzd5V/CJ9jX2uPSjMVWIioKitZtkcytSq1glPUXohgjYMmqz2o9wyMWLLb9jN/+2w/gOPVehf+1tg==",
        "{DES-CRYPT}s3pKbH6T5rIUM",
        "{CRYPT}$2y$05$enxivKGGHuC.bAlbO2JF0ef1yA2q7LDpMWoQJuwJ7GW7qanXHOcvi",
        "{MD5-CRYPT}$1$l4dm2HPE$rHSWpAGhdi4hKZiSUY5R//",
        // Accepted by `doveadm pw -t` as well: upper-case hex, MD5 as a hex or base64 digest, PLAIN-TRUNC.
        "{PLAIN-MD5}86FB269D190D2C85F6E0468CECA42A20",
        "{MD5}86fb269d190d2c85f6e0468ceca42a20",
        "{MD5}hvsmnRkNLIX24EaM7KQqIA==",
        "{PLAIN-TRUNC}12-Hello world!",
    ]

    @Test("doveadm pw hashes verify the right password and refuse wrong ones", arguments: doveadmHashes)
    func doveadm(stored: String) {
        let user = "bob@example.org"
        #expect(PasswordVerifier.check(hello, against: stored, user: user) == .match)
        // (DES crypt reads only the first 8 octets, so the wrong passwords differ early.)
        #expect(PasswordVerifier.check(Array("Hello World!".utf8), against: stored, user: user) == .mismatch)
        #expect(PasswordVerifier.check(Array("hello world!".utf8), against: stored, user: user) == .mismatch)
        #expect(PasswordVerifier.check(hello + [0], against: stored, user: user) == .mismatch)
        #expect(PasswordVerifier.check([], against: stored, user: user) == .mismatch)
    }

    @Test("CRAM-MD5 with a key longer than a block (hashed first, as RFC 2104 says)")
    func longCRAMKey() {
        let stored = "{CRAM-MD5}8103bb3a2a4b96a9ca9cce4efecc8d22ebe7163dff7401afb5aa16d4edcf9f1f"  // doveadm, 70 × "x"
        #expect(PasswordVerifier.verify(Array(repeating: 0x78, count: 70), against: stored))
        #expect(!PasswordVerifier.verify(Array(repeating: 0x78, count: 69), against: stored))
    }

    @Test("DIGEST-MD5 hashes the login name: another user with the same password does not match")
    func digestUser() {
        let stored = "{DIGEST-MD5}0d2dce071b17cead86ad180d1bdfccbc"
        #expect(PasswordVerifier.check(hello, against: stored, user: "alice@example.org") == .mismatch)
    }

    @Test("PLAIN-TRUNC: a longer password matches a truncated one; without the length prefix it is unusable")
    func truncated() {
        #expect(PasswordVerifier.verify(Array("Hello world! and more".utf8), against: "{PLAIN-TRUNC}12-Hello world!"))
        #expect(!PasswordVerifier.verify(Array("Hello world".utf8), against: "{PLAIN-TRUNC}12-Hello world!"))
        guard
            case .unusable(.malformed("PLAIN-TRUNC", _)) = PasswordVerifier.check(
                hello, against: "{PLAIN-TRUNC}Hello world!")
        else {
            Issue.record("doveadm's own PLAIN-TRUNC output lacks the length prefix Dovecot's verifier needs")
            return
        }
    }

    @Test(
        "unknown, unsupported and malformed fields are unusable, with the scheme named",
        arguments: [
            ("{NOSUCH}abc", "NOSUCH"), ("{SHA.XYZ}abc", "SHA.XYZ"),
            ("{OTP}sha1 1024 a8e91112facae134 be0b0398a3705831", "OTP"),
            ("{SHA}00hq6RNueFa8QiEjhep5cJRHWAI", "SHA"), ("{SHA256}00hq6RNueFa8QiEjhep5cJRHWAI=", "SHA256"),
            ("{SSHA}00hq6RNueFa8QiEjhep5cJRHWAI=", "SSHA"), ("{PLAIN-MD5}86fb269d190d2c85f6e0468ceca42a2", "PLAIN-MD5"),
            ("{PBKDF2}$1$salt$0$e013c9bb13488c2d5a9807f82399a3913bcdde9c", "PBKDF2"),
            ("{PBKDF2}$1$salt$5000$e013c9bb", "PBKDF2"), ("{PBKDF2}salt$5000$e013", "PBKDF2"),
            ("{ARGON2ID}$argon2i$v=19$m=32768,t=4,p=1$dS3Gmi71om5qaB3vEMsxyA$RuDW", "ARGON2ID"),
            ("{ARGON2ID}$argon2id$v=19$m=99999999999,t=3,p=1$Rn7XdJJ3WX1WDHoal8TzoQ$YRv6", "ARGON2ID"),
            ("{SHA512-CRYPT}$1$l4dm2HPE$rHSWpAGhdi4hKZiSUY5R//", "SHA512-CRYPT"), ("{CRYPT}!$6$x$y", "CRYPT"),
            ("{CRYPT}$9$nonsense", "CRYPT"), ("{SCRAM-SHA-256}4096,abc,def", "SCRAM-SHA-256"), ("{PLAIN}", "PLAIN"),
            ("", "CRYPT"),
        ])
    func unusable(stored: String, scheme: String) {
        guard case .unusable(let problem) = PasswordVerifier.check(hello, against: stored) else {
            Issue.record("\(stored) should be unusable")
            return
        }
        #expect(problem.scheme == scheme)
        #expect(!PasswordVerifier.verify(hello, against: stored))
    }

    @Test("weak schemes are named; strong ones are not")
    func weakness() throws {
        for weak in [
            "{PLAIN}x", "{CLEARTEXT}x", "{PLAIN.B64}eA==", "{SHA}00hq6RNueFa8QiEjhep5cJRHWAI=",
            "{PLAIN-MD5}86fb269d190d2c85f6e0468ceca42a20", "{SMD5}I2e+2CMIXYu4n+ohhYf+9o/NNDo=",
            "{MD5}$1$Ml6S.dNE$77Cc2OhDn5dTblWu/IPmU/", "{DES-CRYPT}s3pKbH6T5rIUM",
            "{CRAM-MD5}be3fa00ed91dac8efa2f2929dee858c2e9d1232732bba82c2a73c4d157f80e10",
        ] {
            #expect(try StoredPassword.parse(weak).get().weakness != nil, "\(weak)")
        }
        for strong in [
            "{SSHA512}+26z0QnOSeaXDjM5ALGmujtH5c8ip8tJfj+IWqGl70TIMEl50/BReblYi98gzL6Lr3WhI6MmdDLP4qzsr/KcycEFyU4=",
            "{CRYPT}$2y$05$enxivKGGHuC.bAlbO2JF0ef1yA2q7LDpMWoQJuwJ7GW7qanXHOcvi",
            "{PBKDF2}$1$Qcvkvx2/RuyZ4o9u$5000$e013c9bb13488c2d5a9807f82399a3913bcdde9c",
        ] {
            #expect(try StoredPassword.parse(strong).get().weakness == nil, "\(strong)")
        }
    }
}
