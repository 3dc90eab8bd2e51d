import Testing

@testable import Config

private func parse(_ text: String) throws(ConfigError) -> Settings {
    try ConfigParser.parse(Array(text.utf8), fileName: "test.conf")
}

private func error(_ text: String) -> ConfigError? {
    do {
        _ = try parse(text)
        return nil
    } catch {
        return error
    }
}

@Suite("ConfigParser")
struct ConfigParserTests {
    @Test("an empty file gives the defaults")
    func emptyFile() throws {
        #expect(try parse("") == Settings())
        #expect(try parse("\n\n  \n# only a comment\n   # indented comment\n") == Settings())
    }

    @Test("defaults are the documented ones")
    func defaults() {
        let s = Settings()
        #expect(s.passwdFile == "/etc/managesieved/passwd")
        #expect(s.sieveStorage == "~/sieve")
        #expect(s.sieve == "~/.dovecot.sieve")
        #expect(s.maxLineLength == 65536)
        #expect(s.maxScriptSize == 1_048_576)
        #expect(s.authFailureDelayMilliseconds == 2000)
        #expect(s.idleTimeoutMilliseconds == 1_800_000)
        #expect(s.commandTimeoutMilliseconds == 60_000)
        #expect(s.ssl == .no)
        #expect(s.sslMinProtocol == "TLSv1.2")
        #expect(s.rawlogMaxLiteral == 65536)
        #expect(s.effectiveDisablePlaintextAuth == false)
    }

    @Test("reads keys with whitespace, quotes, trailing comments and CRLF")
    func basicGrammar() throws {
        let s = try parse(
            """
            passwd_file = /srv/passwd
              sieve_storage=/var/sieve/%d/%n   # per domain
            managesieve_implementation_string = "My Server # 1"\r
            log_path = "/var/log/ms.log" # comment after quotes
            sieve = ~/a#b
            """)
        #expect(s.passwdFile == "/srv/passwd")
        #expect(s.sieveStorage == "/var/sieve/%d/%n")
        #expect(s.implementationString == "My Server # 1")
        #expect(s.logPath == "/var/log/ms.log")
        #expect(s.sieve == "~/a#b")
    }

    // FuzzConfig's finding: `rawlog_dir =\r ` kept the CR inside the value, and `managesievectl config` printed
    // it back as a line that ended at the CR and read back as an empty value.
    @Test(
        "a control character in a setting's line is an error naming the line; a comment may hold one",
        arguments: [UInt8(0x0D), 0x00, 0x1B, 0x7F])
    func controlCharacter(byte: UInt8) throws {
        let control = String(decoding: [byte], as: UTF8.self)
        for text in ["\nrawlog_dir =\(control) \n", "rawlog_dir = /var/\(control)log\n", "log_path\(control) = /x\n"] {
            let found = error(text)
            #expect(found?.line == (text.first == "\n" ? 2 : 1), "\(Array(text.utf8))")
            #expect(found?.message.hasPrefix("control character 0x") == true, "\(Array(text.utf8))")
        }
        let hex = String(byte, radix: 16, uppercase: true)
        #expect(
            error("sieve = a\(control)b\n")?.message
                == "control character 0x\(hex.count < 2 ? "0" + hex : hex) in the line")
        #expect(try parse("  # a comment with \(control) in it\nsieve = ~/x\n").sieve == "~/x")
        // Tabs stay blanks, and a CRLF line end is still a line end.
        #expect(try parse("sieve\t=\t~/t\r\n").sieve == "~/t")
    }

    @Test("an empty value unsets an optional setting")
    func emptyOptional() throws {
        let s = try parse("log_path =\nssl_cert = \"\"\ndisable_plaintext_auth =\n")
        #expect(s.logPath == nil)
        #expect(s.sslCert == nil)
        #expect(s.disablePlaintextAuth == nil)
    }

    @Test("booleans, enums and lists")
    func typedValues() throws {
        let s = try parse(
            """
            ssl = required
            ssl_prefer_server_ciphers = yes
            ssl_verify_client_cert = TRUE
            disable_plaintext_auth = no
            ssl_min_protocol = TLSv1.3
            rawlog_users = alice, bob  carol
            haproxy_trusted_networks = 10.0.0.0/8 ::1
            syslog_facility = local3
            """)
        #expect(s.ssl == .required)
        #expect(s.sslPreferServerCiphers)
        #expect(s.sslVerifyClientCert)
        #expect(s.disablePlaintextAuth == false)
        #expect(s.effectiveDisablePlaintextAuth == false)
        #expect(s.sslMinProtocol == "TLSv1.3")
        #expect(s.rawlogUsers == ["alice", "bob", "carol"])
        #expect(s.haproxyTrustedNetworks == ["10.0.0.0/8", "::1"])
        #expect(s.syslogFacility == "local3")
        #expect(try parse("ssl = yes").effectiveDisablePlaintextAuth == true)
    }

    @Test("a list word cannot start with '<' (printed first, it would read as `<FILE`)")
    func listWordWithFileMarker() {
        // FuzzConfig's finding: `,<` parsed as the list ["<", …], printed back as `<, …`, which is refused.
        #expect(error("haproxy_trusted_networks = ,,<,rawlog_\r\n")?.message.contains("cannot start with '<'") == true)
        #expect(error("rawlog_users = alice <bob\n")?.message.contains("'<bob'") == true)
        #expect(error("auth_mechanisms = plain,<x\n") != nil)
    }

    @Test(
        "sizes",
        arguments: [
            ("0", 0), ("4096", 4096), ("64K", 65536), ("64 KB", 65536), ("1M", 1_048_576), ("1 mb", 1_048_576),
            ("2G", 2_147_483_648), ("1T", 1_099_511_627_776), ("10 B", 10),
        ] as [(String, UInt64)])
    func sizes(text: String, expected: UInt64) throws {
        #expect(try parse("sieve_max_script_size = \(text)").maxScriptSize == expected)
    }

    @Test(
        "times",
        arguments: [
            ("30", 30_000), ("0", 0), ("500 ms", 500), ("500ms", 500), ("2 msecs", 2), ("10 s", 10_000),
            ("3 secs", 3000),
            ("1 second", 1000), ("5 min", 300_000), ("2 minutes", 120_000), ("1m", 60_000), ("1 h", 3_600_000),
            ("2 hours", 7_200_000),
        ] as [(String, Int)])
    func times(text: String, expected: Int) throws {
        #expect(try parse("auth_failure_delay = \(text)").authFailureDelayMilliseconds == expected)
    }

    @Test("an unknown key names the line and suggests the closest key")
    func unknownKey() {
        let e = error("# hello\n\nsieve_storge = ~/x\n")
        #expect(
            e
                == ConfigError(
                    file: "test.conf", line: 3, message: "unknown key 'sieve_storge' (did you mean 'sieve_storage'?)"))
        #expect(e?.description == "test.conf:3: unknown key 'sieve_storge' (did you mean 'sieve_storage'?)")
        #expect(error("PASSWD_FILE = /x")?.message == "unknown key 'PASSWD_FILE' (did you mean 'passwd_file'?)")
        #expect(error("completely_unrelated = 1")?.message == "unknown key 'completely_unrelated'")
        // Typos that add or drop letters are still found; a key far longer than any known one gets no guess.
        #expect(error("sieve_storagee = x")?.message == "unknown key 'sieve_storagee' (did you mean 'sieve_storage'?)")
        #expect(error("passwdfile = x")?.message == "unknown key 'passwdfile' (did you mean 'passwd_file'?)")
        let long = String(repeating: "passwd_fil", count: 5_000)
        #expect(error("\(long) = x")?.message == "unknown key '\(long)'")
    }

    @Test("a duplicate key is an error naming the first line")
    func duplicateKey() {
        let e = error("ssl = yes\n\nssl = no\n")
        #expect(e?.line == 3)
        #expect(e?.message == "duplicate key 'ssl' (first set on line 1)")
    }

    @Test(
        "bad values are errors with the expected syntax",
        arguments: [
            ("sieve_max_script_size = 12Q", "invalid size '12Q' (expected a size such as 4096, 64K, 1 M or 2G)"),
            ("sieve_max_script_size = -1", "invalid size '-1' (expected a size such as 4096, 64K, 1 M or 2G)"),
            ("sieve_max_script_size = 99999999999999999999", "size '99999999999999999999' is too large"),
            ("sieve_quota_max_storage = 20000000T", "size '20000000T' is too large (at most 18446744073709551615)"),
            (
                "auth_failure_delay = 5 fortnights",
                "invalid time '5 fortnights' (expected a time such as 30, 500 ms, 10 s, 5 min or 1 h)"
            ),
            ("auth_failure_delay = 9999999 h", "time '9999999 h' is too large (at most 24 days)"),
            ("ssl = maybe", "invalid value 'maybe' for 'ssl' (expected no, yes or required)"),
            ("ssl_prefer_server_ciphers = 1", "invalid boolean '1' (expected yes, no, true or false)"),
            ("first_valid_uid = 4294967296", "number '4294967296' is too large (at most 4294967295)"),
            ("first_valid_uid = abc", "invalid number 'abc' (expected a non-negative whole number)"),
            ("auth_max_attempts = 0", "'auth_max_attempts' must be at least 1"),
            ("managesieve_max_line_length = 63", "'managesieve_max_line_length' must be at least 64"),
            ("managesieve_max_line_length = 4G", "size '4G' is too large (at most 2147483647)"),
            ("passwd_file =", "'passwd_file' must not be empty"),
            (
                "ssl_min_protocol = SSLv3",
                "invalid value 'SSLv3' for 'ssl_min_protocol' (expected one of: TLSv1, TLSv1.1, TLSv1.2, TLSv1.3)"
            ),
            ("log_path = \"/x", "missing closing quote in the value of 'log_path'"),
            ("log_path = \"/x\" y", "unexpected text after the closing quote of 'log_path'"),
            ("just words", "expected 'key = value', found 'just words'"),
            ("= 3", "missing key before '='"),
            ("plugin { x", "expected 'key = value', found 'plugin { x'"),
            ("my-key = 1", "invalid key 'my-key' (keys are letters, digits and '_')"),
        ] as [(String, String)])
    func badValues(line: String, message: String) {
        let e = error("\n" + line + "\n")
        #expect(e?.line == 2)
        #expect(e?.message == message)
    }

    @Test("invalid UTF-8 is an error")
    func invalidUTF8() {
        #expect(throws: ConfigError(file: "f", line: 1, message: "invalid UTF-8")) {
            try ConfigParser.parse([0x6C, 0x6F, 0x67, 0x5F, 0x70, 0x61, 0x74, 0x68, 0x3D, 0xFF], fileName: "f")
        }
    }
}

@Suite("Settings entries")
struct SettingsEntriesTests {
    @Test("all keys are listed once, in order, and the defaults print back to the defaults")
    func roundTripDefaults() throws {
        let entries = Settings().entries(onlyNonDefault: false)
        #expect(entries.map(\.key) == Settings.allKeys)
        #expect(Set(Settings.allKeys).count == Settings.allKeys.count)
        #expect(Settings.allKeys.count == 65)
        #expect(Settings.allKeys.first == "passwd_file")
        let text = entries.map { "\($0.key) = \(ConfigParser.quoteIfNeeded($0.value))" }.joined(separator: "\n")
        #expect(try parse(text) == Settings())
        #expect(Settings().entries(onlyNonDefault: true).isEmpty)
    }

    @Test("non-defaults print in parser syntax and parse back to the same settings")
    func roundTripChanged() throws {
        var s = Settings()
        s.maxScriptSize = 3 << 20
        s.authFailureDelayMilliseconds = 1500
        s.idleTimeoutMilliseconds = 2 * 3_600_000
        s.rawlogUsers = ["a", "b"]
        s.implementationString = " spaced # name \"q\" "
        s.disablePlaintextAuth = true
        s.ssl = .yes
        s.quotaMaxStorage = 1000
        let entries = s.entries(onlyNonDefault: true)
        #expect(
            entries.map(\.key) == [
                "managesieve_implementation_string", "sieve_max_script_size", "sieve_quota_max_storage",
                "auth_failure_delay", "managesieve_idle_timeout", "ssl", "disable_plaintext_auth", "rawlog_users",
            ])
        let values = Dictionary(uniqueKeysWithValues: entries.map { ($0.key, $0.value) })
        #expect(values["sieve_max_script_size"] == "3M")
        #expect(values["auth_failure_delay"] == "1500 ms")
        #expect(values["managesieve_idle_timeout"] == "2 h")
        #expect(values["rawlog_users"] == "a b")
        #expect(values["sieve_quota_max_storage"] == "1000")
        let text = entries.map { "\($0.key) = \(ConfigParser.quoteIfNeeded($0.value))" }.joined(separator: "\n")
        #expect(try parse(text) == s)
    }
}

@Suite("PathExpansion")
struct PathExpansionTests {
    @Test(
        "expands ~ and % variables",
        arguments: [
            ("~/sieve", "/home/al/sieve"), ("~", "/home/al"), ("%h/x", "/home/al/x"),
            ("/srv/%d/%n", "/srv/example.org/al"),
            ("/u/%u", "/u/al@example.org"), ("100%%", "100%"), ("%z%", "%z%"), ("/x/~/y", "/x/~/y"), ("~al/x", "~al/x"),
        ] as [(String, String)])
    func expand(template: String, expected: String) {
        #expect(PathExpansion.expand(template, user: "al@example.org", home: "/home/al") == expected)
    }

    @Test("a user without a domain has an empty %d")
    func noDomain() {
        #expect(PathExpansion.expand("/srv/%d/%n", user: "bob", home: "/h") == "/srv//bob")
    }
}
