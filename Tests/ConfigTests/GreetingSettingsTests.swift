import Testing

@testable import Config

private func scan(_ text: String) -> GreetingSettings? {
    Array(text.utf8).withUnsafeBytes { GreetingSettings.scan($0) }
}

private func value(_ text: String, _ range: Range<Int>?) -> String? {
    range.map { String(decoding: Array(text.utf8)[$0], as: UTF8.self) }
}

/// The scan's promise: when it answers, `parse` accepts the same text and agrees on every value it gives.
private func expectAgreement(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
    guard let quick = scan(text) else { return }
    let settings: Settings
    do {
        settings = try ConfigParser.parse(Array(text.utf8), fileName: "t.conf")
    } catch {
        Issue.record("the scan accepted a file parse refuses: \(error)", sourceLocation: sourceLocation)
        return
    }
    #expect(settings.ssl == .no, sourceLocation: sourceLocation)
    #expect(settings.sieveExtensions == nil, sourceLocation: sourceLocation)
    #expect(settings.rawlogDir == nil, sourceLocation: sourceLocation)
    #expect(settings.haproxyTrustedNetworks.isEmpty, sourceLocation: sourceLocation)
    #expect(settings.proxyUser == nil, sourceLocation: sourceLocation)
    #expect(
        (value(text, quick.passwdFile) ?? Settings().passwdFile) == settings.passwdFile, sourceLocation: sourceLocation)
    #expect(
        (value(text, quick.implementationString) ?? Settings().implementationString) == settings.implementationString,
        sourceLocation: sourceLocation)
    #expect(quick.maxRedirects == settings.maxRedirects, sourceLocation: sourceLocation)
    #expect(quick.disablePlaintextAuth == settings.effectiveDisablePlaintextAuth, sourceLocation: sourceLocation)
}

@Suite("GreetingSettings")
struct GreetingSettingsTests {
    static let bench = """
        passwd_file = /tmp/bench/passwd
        log_path = /tmp/bench/managesieved.log
        auth_failure_delay = 0
        sieve_max_script_size = 4M

        """

    @Test("the benchmark's configuration is read quickly, with the values parse gives")
    func benchConfig() throws {
        let quick = try #require(scan(Self.bench))
        #expect(value(Self.bench, quick.passwdFile) == "/tmp/bench/passwd")
        #expect(quick.implementationString == nil)
        #expect(quick.maxRedirects == Settings().maxRedirects)
        #expect(!quick.disablePlaintextAuth)
        expectAgreement(Self.bench)
    }

    @Test("the defaults as C strings are the defaults of Settings")
    func defaults() {
        #expect(GreetingSettings.defaultPasswdFile.description == Settings().passwdFile)
        #expect(GreetingSettings.defaultImplementationString.description == Settings().implementationString)
        #expect(GreetingSettings().maxRedirects == Settings().maxRedirects)
    }

    @Test("an empty file gives the defaults")
    func empty() throws {
        let quick = try #require(scan(""))
        #expect(quick == GreetingSettings())
        #expect(quick.maxRedirects == Settings().maxRedirects)
        expectAgreement("")
    }

    @Test(
        "values the greeting shows",
        arguments: [
            "managesieve_implementation_string = My \"Sieve\" \\ server\n",
            "managesieve_implementation_string =\tpadded value\t \n",
            "sieve_max_redirects = 0\n", "sieve_max_redirects = 123456789\n",
            "disable_plaintext_auth = yes\n", "disable_plaintext_auth = no\n", "disable_plaintext_auth =\n",
            "ssl = no\nsieve_max_redirects = 9\n",
            "  # comment\n\t\n   passwd_file   =   /x y  \n",
        ])
    func shownValues(text: String) throws {
        #expect(scan(text) != nil)
        expectAgreement(text)
    }

    @Test(
        "files left to the ordinary path",
        arguments: [
            "ssl = yes\n", "ssl = required\n", "ssl = NO\n", "sieve_extensions = +editheader\n", "rawlog_dir = /tmp\n",
            "haproxy_trusted_networks = 10.0.0.0/8\n", "proxy_user = relay\n", "ssl_cert = /c\n",
            "passwd_file = \"/quoted\"\n", "passwd_file = /x # comment\n", "passwd_file = /a#b\n",
            "passwd_file = /x\r\n", "passwd_file = /caf\u{E9}\n", "passwd_file =\n",
            "passwd_file = /a\npasswd_file = /b\n",
            "sieve_max_script_size = 4 M\n", "sieve_max_script_size = 4MB\n", "sieve_max_script_size = 9999999999\n",
            "auth_failure_delay = 2 s\n", "auth_failure_delay = 500ms\n", "auth_failure_delay = 9999999\n",
            "auth_max_attempts = 0\n", "sieve_max_redirects = 1234567890\n", "sieve_max_redirects = -1\n",
            "disable_plaintext_auth = YES\n", "disable_plaintext_auth = 1\n", "unknown_key = 1\n", "PASSWD_FILE = /x\n",
            "just words\n", "= 3\n", "my-key = 1\n", "managesieve_implementation_string =\n",
            "managesieve_max_line_length = 100\n", "syslog_facility = mail\n",
        ])
    func declined(text: String) {
        #expect(scan(text) == nil)
    }

    @Test("whatever the scan accepts, parse accepts and agrees with (generated files)")
    func generated() {
        let keys = [
            "passwd_file", "sieve_storage", "sieve", "managesieve_implementation_string",
            "managesieve_max_compile_errors",
            "sieve_max_script_size", "sieve_quota_max_scripts", "sieve_quota_max_storage", "sieve_max_redirects",
            "first_valid_uid", "last_valid_uid", "auth_failure_delay", "auth_max_attempts", "log_path",
            "managesieve_idle_timeout", "managesieve_command_timeout", "managesieve_login_timeout",
            "managesieve_max_commands", "managesieve_max_bad_commands", "sieve_lock_timeout", "ssl",
            "disable_plaintext_auth", "sieve_extensions", "syslog_facility",
        ]
        let values = [
            "", "0", "1", "7", "64", "999999", "1000000", "123456789", "1234567890", "4M", "4m", "12k", "3G", "4T",
            "4 M", "no", "yes", "true", "False", "/path/x", "a b", "x\"y", "-1", "1.5", "10 s", "#", "a #b",
        ]
        var accepted = 0
        for key in keys {
            for value in values {
                for layout in ["\(key) = \(value)\n", "  \(key)=\(value)", "\(key)\t=\t\(value)\t\n# end\n"] {
                    if scan(layout) != nil { accepted += 1 }
                    expectAgreement(layout)
                }
            }
        }
        // Pairs of lines, including repeated keys.
        for first in keys.prefix(6) {
            for second in keys.prefix(6) {
                let text = "\(first) = 5\n\(second) = 6\n"
                if first == second { #expect(scan(text) == nil) }
                expectAgreement(text)
            }
        }
        #expect(accepted > 100)
    }
}
