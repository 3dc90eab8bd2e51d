import Auth
import Testing

@testable import ManageSieveServer

@Suite("ProxyTarget and ProxyCredentials")
struct ProxyTargetTests {
    func entry(_ extra: String, user: String = "alice", password: String = "{PLAIN}secret") -> PasswdEntry {
        let file = PasswdFile(parsing: Array("\(user):\(password):1000:1000::/home/\(user)::\(extra)\n".utf8))
        return file.entry(for: user)!
    }

    @Test("host only: port 4190, the login name, plaintext, 30 s")
    func defaults() throws {
        let target = try ProxyTarget(entry: entry("proxy host=10.0.0.2"))
        #expect(target.host == "10.0.0.2")
        #expect(target.port == 4190)
        #expect(target.user == "alice")
        #expect(target.security == .none)
        #expect(target.timeoutMilliseconds == 30_000)
        #expect(target.masterUser == nil)
        #expect(target.endpoint == "10.0.0.2:4190")
    }

    @Test("every field Dovecot defines is read")
    func allFields() throws {
        let target = try ProxyTarget(
            entry: entry(
                "proxy host=2001:db8::2 port=14190 destuser=alice@example.org starttls=any-cert proxy_timeout=5 master=admin pass=s3cret"
            ))
        #expect(target.host == "2001:db8::2")
        #expect(target.port == 14190)
        #expect(target.user == "alice@example.org")
        #expect(target.security == .startTLS(verifyCertificate: false))
        #expect(target.timeoutMilliseconds == 5000)
        #expect(target.masterUser == "admin")
        #expect(target.masterPassword == "s3cret")
        #expect(target.endpoint == "[2001:db8::2]:14190")
    }

    @Test("ssl=yes is implicit TLS with verification; it wins over starttls")
    func implicitTLS() throws {
        #expect(try ProxyTarget(entry: entry("proxy host=b ssl=yes")).security == .implicitTLS(verifyCertificate: true))
        #expect(
            try ProxyTarget(entry: entry("proxy host=b ssl=any-cert starttls=yes")).security
                == .implicitTLS(verifyCertificate: false))
        #expect(
            try ProxyTarget(entry: entry("proxy host=b starttls=yes")).security == .startTLS(verifyCertificate: true))
    }

    @Test(
        "unusable fields are refused with the reason",
        arguments: [
            ("proxy", ProxyTarget.FieldError.missingHost),
            ("proxy host=b port=0", .badPort("0")),
            ("proxy host=b port=70000", .badPort("70000")),
            ("proxy host=b ssl=maybe", .badTLSMode(field: "ssl", value: "maybe")),
            ("proxy host=b proxy_timeout=-1", .badTimeout("-1")),
            ("proxy host=b master=admin", .masterWithoutPassword),
        ])
    func fieldErrors(extra: String, expected: ProxyTarget.FieldError) {
        #expect(throws: expected) { try ProxyTarget(entry: entry(extra)) }
    }

    @Test("the client's own password logs in as the backend user; a master user never reuses it")
    func credentials() throws {
        var target = ProxyTarget(host: "b", user: "alice@example.org")
        let own = try #require(ProxyCredentials(target: target, clientPassword: Array("secret".utf8)))
        #expect(own.plainMessage == Array("\0alice@example.org\0secret".utf8))
        #expect(ProxyCredentials(target: target, clientPassword: nil) == nil)
        target.masterUser = "admin"
        target.masterPassword = "mpass"
        let master = try #require(ProxyCredentials(target: target, clientPassword: Array("secret".utf8)))
        #expect(master.plainMessage == Array("alice@example.org\0admin\0mpass".utf8))
        #expect(ProxyCredentials(target: target, clientPassword: nil) == master)
    }

    @Test("the client's password comes from PLAIN, LOGIN, or a cleartext stored password after SCRAM")
    func clientPassword() {
        #expect(
            ProxyCredentials.clientPassword(
                mechanism: "PLAIN", lastMessage: Array("z\0alice\0pw".utf8), storedPassword: "x")
                == Array("pw".utf8))
        #expect(
            ProxyCredentials.clientPassword(mechanism: "PLAIN", lastMessage: Array("alice".utf8), storedPassword: "x")
                == nil)
        #expect(
            ProxyCredentials.clientPassword(mechanism: "LOGIN", lastMessage: Array("pw".utf8), storedPassword: "x")
                == Array("pw".utf8))
        #expect(
            ProxyCredentials.clientPassword(mechanism: "SCRAM-SHA-256", lastMessage: nil, storedPassword: "{PLAIN}pw")
                == Array("pw".utf8))
        #expect(
            ProxyCredentials.clientPassword(mechanism: "SCRAM-SHA-1", lastMessage: nil, storedPassword: "{cleartext}pw")
                == Array("pw".utf8))
        #expect(
            ProxyCredentials.clientPassword(
                mechanism: "SCRAM-SHA-256", lastMessage: nil, storedPassword: "{SHA512-CRYPT}$6$x")
                == nil)
    }

    @Test("the client sees a short reason, never the backend's words")
    func failureTexts() {
        let refused = ProxyFailure.loginRefused("NO \"internal host db3 is sad\"")
        #expect(!refused.clientText.contains("db3"))
        #expect(refused.description.contains("db3"))
        #expect(
            ProxyFailure.connectFailed("10.1.2.3:4190: refused").clientText
                == "Backend server unavailable, try again later.")
    }
}
