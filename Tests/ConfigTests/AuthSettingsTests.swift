import Config
import Testing

private func parse(_ text: String) throws(ConfigError) -> Settings {
    try ConfigParser.parse(Array(text.utf8), fileName: "test.conf")
}

@Suite("Authentication settings")
struct AuthSettingsTests {
    @Test("auth_mechanisms: Dovecot's list, any case, spaces or commas; unset offers every mechanism")
    func mechanisms() throws {
        #expect(try parse("").authMechanisms == nil)
        #expect(try parse("auth_mechanisms = plain login\n").authMechanisms == ["PLAIN", "LOGIN"])
        #expect(
            try parse("auth_mechanisms = scram-sha-256, SCRAM-SHA-256-PLUS plain\n").authMechanisms == [
                "SCRAM-SHA-256", "SCRAM-SHA-256-PLUS", "PLAIN",
            ])
        #expect(try parse("auth_mechanisms =\n").authMechanisms == nil)
    }

    @Test(
        "an unknown mechanism is a configuration error that names it and its line", arguments: ["cram-md5", "XPLAIN"])
    func unknownMechanism(name: String) {
        do {
            _ = try parse("ssl = no\nauth_mechanisms = plain \(name)\n")
            Issue.record("accepted")
        } catch {
            let text = "\(error)"
            #expect(text.contains("'\(name.uppercased())'"))
            #expect(text.contains("auth_mechanisms"))
            #expect(text.contains(":2"))
        }
    }

    @Test("auth_allow_scram_before_tls and auth_scram_secret_file: defaults and values")
    func scramSettings() throws {
        let defaults = try parse("")
        #expect(defaults.authAllowSCRAMBeforeTLS == false)
        #expect(defaults.authSCRAMSecretFile == "/var/lib/managesieved/scram-secret")
        let set = try parse("auth_allow_scram_before_tls = yes\nauth_scram_secret_file = /etc/ms/secret\n")
        #expect(set.authAllowSCRAMBeforeTLS)
        #expect(set.authSCRAMSecretFile == "/etc/ms/secret")
    }
}
