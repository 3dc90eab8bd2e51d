// The table of keys: name, how to read a value into `Settings`, how to print it back.
// Its order is the order of `Settings.allKeys` and of `entries(onlyNonDefault:)`.

typealias SettingsPath<T> = WritableKeyPath<Settings, T> & Sendable
typealias LazyPath<T> = @Sendable () -> SettingsPath<T>
// The factories take their key path as an autoclosure: the runtime instantiates a key path literal on its
// first use (about 17,000 instructions each), and every connection parses the file afresh, so only the keys
// a file sets (or a render) pay for theirs, not all 40 at once.

struct SettingKey: Sendable {
    let name: String
    let apply: @Sendable (inout Settings, String) throws(ValueError) -> Void
    let render: @Sendable (Settings) -> String

    /// A non-empty string.
    static func string(_ name: String, _ path: @autoclosure @escaping LazyPath<String>) -> SettingKey {
        SettingKey(
            name: name,
            apply: { (settings, text) throws(ValueError) in
                guard !text.isEmpty else { throw ValueError("'\(name)' must not be empty") }
                settings[keyPath: path()] = text
            }, render: { $0[keyPath: path()] })
    }

    /// A string or nothing (an empty value).
    static func optionalString(_ name: String, _ path: @autoclosure @escaping LazyPath<String?>) -> SettingKey {
        SettingKey(
            name: name,
            apply: { settings, text in
                settings[keyPath: path()] = text.isEmpty ? nil : text
            }, render: { $0[keyPath: path()] ?? "" })
    }

    /// One of a fixed set of words.
    static func choice(
        _ name: String, _ path: @autoclosure @escaping LazyPath<String>, _ allowed: [String]
    ) -> SettingKey {
        SettingKey(
            name: name,
            apply: { (settings, text) throws(ValueError) in
                guard allowed.contains(text) else {
                    throw ValueError(
                        "invalid value '\(text)' for '\(name)' (expected one of: \(allowed.joined(separator: ", ")))")
                }
                settings[keyPath: path()] = text
            }, render: { $0[keyPath: path()] })
    }

    static func list(_ name: String, _ path: @autoclosure @escaping LazyPath<[String]>) -> SettingKey {
        SettingKey(
            name: name, apply: { settings, text in settings[keyPath: path()] = Values.list(text) },
            render: { Values.renderList($0[keyPath: path()]) })
    }

    static func bool(_ name: String, _ path: @autoclosure @escaping LazyPath<Bool>) -> SettingKey {
        SettingKey(
            name: name,
            apply: { (settings, text) throws(ValueError) in settings[keyPath: path()] = try Values.bool(text) },
            render: { Values.render($0[keyPath: path()]) })
    }

    /// yes/no, or an empty value for "automatic".
    static func optionalBool(_ name: String, _ path: @autoclosure @escaping LazyPath<Bool?>) -> SettingKey {
        SettingKey(
            name: name,
            apply: { (settings, text) throws(ValueError) in
                settings[keyPath: path()] = text.isEmpty ? nil : try Values.bool(text)
            }, render: { $0[keyPath: path()].map(Values.render) ?? "" })
    }

    /// A plain count.
    static func count(_ name: String, _ path: @autoclosure @escaping LazyPath<Int>, minimum: Int = 0) -> SettingKey {
        SettingKey(
            name: name,
            apply: { (settings, text) throws(ValueError) in
                let value = Int(try Values.unsigned(text, max: UInt64(Int32.max)))
                guard value >= minimum else { throw ValueError("'\(name)' must be at least \(minimum)") }
                settings[keyPath: path()] = value
            }, render: { String($0[keyPath: path()]) })
    }

    static func count64(_ name: String, _ path: @autoclosure @escaping LazyPath<UInt64>) -> SettingKey {
        SettingKey(
            name: name,
            apply: { (settings, text) throws(ValueError) in settings[keyPath: path()] = try Values.unsigned(text) },
            render: { String($0[keyPath: path()]) })
    }

    static func uid(_ name: String, _ path: @autoclosure @escaping LazyPath<UInt32>) -> SettingKey {
        SettingKey(
            name: name,
            apply: { (settings, text) throws(ValueError) in
                settings[keyPath: path()] = UInt32(try Values.unsigned(text, max: UInt64(UInt32.max)))
            }, render: { String($0[keyPath: path()]) })
    }

    static func size(_ name: String, _ path: @autoclosure @escaping LazyPath<UInt64>) -> SettingKey {
        SettingKey(
            name: name,
            apply: { (settings, text) throws(ValueError) in settings[keyPath: path()] = try Values.size(text) },
            render: { Values.renderSize($0[keyPath: path()]) })
    }

    /// A size held in an Int (buffer limits), at least `minimum`.
    static func intSize(_ name: String, _ path: @autoclosure @escaping LazyPath<Int>, minimum: Int = 0) -> SettingKey {
        SettingKey(
            name: name,
            apply: { (settings, text) throws(ValueError) in
                let value = Int(try Values.size(text, max: UInt64(Int32.max)))
                guard value >= minimum else {
                    throw ValueError("'\(name)' must be at least \(Values.renderSize(UInt64(minimum)))")
                }
                settings[keyPath: path()] = value
            }, render: { Values.renderSize(UInt64($0[keyPath: path()])) })
    }

    static func time(_ name: String, _ path: @autoclosure @escaping LazyPath<Int>) -> SettingKey {
        SettingKey(
            name: name,
            apply: { (settings, text) throws(ValueError) in settings[keyPath: path()] = try Values.milliseconds(text) },
            render: { Values.renderTime($0[keyPath: path()]) })
    }

    static let syslogFacilities = [
        "auth", "authpriv", "cron", "daemon", "ftp", "kern", "lpr", "mail", "news", "syslog", "user", "uucp",
        "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
    ]

    /// Every key, in the documented order (the order of the reference in the man page).
    static let all: [SettingKey] = [
        .string("passwd_file", \.passwdFile),
        .string("sieve_storage", \.sieveStorage),
        .string("sieve", \.sieve),
        .string("managesieve_implementation_string", \.implementationString),
        .intSize("managesieve_max_line_length", \.maxLineLength, minimum: 64),
        .count("managesieve_max_compile_errors", \.maxCompileErrors, minimum: 1),
        .size("sieve_max_script_size", \.maxScriptSize),
        .count64("sieve_quota_max_scripts", \.quotaMaxScripts),
        .size("sieve_quota_max_storage", \.quotaMaxStorage),
        .optionalString("sieve_extensions", \.sieveExtensions),
        .count("sieve_max_redirects", \.maxRedirects),
        .uid("first_valid_uid", \.firstValidUID),
        .uid("last_valid_uid", \.lastValidUID),
        .time("auth_failure_delay", \.authFailureDelayMilliseconds),
        .count("auth_max_attempts", \.authMaxAttempts, minimum: 1),
        .optionalString("log_path", \.logPath),
        .choice("syslog_facility", \.syslogFacility, syslogFacilities),
        .time("managesieve_idle_timeout", \.idleTimeoutMilliseconds),
        .time("managesieve_command_timeout", \.commandTimeoutMilliseconds),
        .time("managesieve_login_timeout", \.loginTimeoutMilliseconds),
        .count("managesieve_max_commands", \.maxCommands),
        .count("managesieve_max_bad_commands", \.maxBadCommands, minimum: 1),
        .time("sieve_lock_timeout", \.lockTimeoutMilliseconds),
        SettingKey(
            name: "ssl",
            apply: { (settings, text) throws(ValueError) in
                guard let mode = SSLMode(rawValue: text.lowercased()) else {
                    throw ValueError("invalid value '\(text)' for 'ssl' (expected no, yes or required)")
                }
                settings.ssl = mode
            }, render: { $0.ssl.rawValue }),
        .optionalString("ssl_cert", \.sslCert),
        .optionalString("ssl_key", \.sslKey),
        .optionalString("ssl_ca", \.sslCA),
        .choice("ssl_min_protocol", \.sslMinProtocol, Settings.sslProtocols),
        .optionalString("ssl_cipher_list", \.sslCipherList),
        .bool("ssl_prefer_server_ciphers", \.sslPreferServerCiphers),
        .optionalBool("disable_plaintext_auth", \.disablePlaintextAuth),
        .time("ssl_sniff_timeout", \.sslSniffTimeoutMilliseconds),
        .bool("ssl_verify_client_cert", \.sslVerifyClientCert),
        .string("ssl_cert_username_field", \.sslCertUsernameField),
        .optionalString("rawlog_dir", \.rawlogDir),
        .list("rawlog_users", \.rawlogUsers),
        .list("rawlog_peers", \.rawlogPeers),
        .intSize("rawlog_max_literal", \.rawlogMaxLiteral),
        .optionalString("proxy_user", \.proxyUser),
        .list("haproxy_trusted_networks", \.haproxyTrustedNetworks),
    ]

    static func named(_ name: String) -> SettingKey? { all.first { $0.name == name } }
}

extension Settings {
    /// Every configuration key, in the order `entries(onlyNonDefault:)` prints them.
    public static let allKeys: [String] = SettingKey.all.map(\.name)

    /// The settings as `key = value` pairs in `allKeys` order; values are in the syntax the parser accepts
    /// (quote them with `ConfigParser.quoteIfNeeded` when writing a file). An unset value is "".
    public func entries(onlyNonDefault: Bool) -> [(key: String, value: String)] {
        let defaults = Settings()
        return SettingKey.all.compactMap { key in
            let value = key.render(self)
            if onlyNonDefault && value == key.render(defaults) { return nil }
            return (key: key.name, value: value)
        }
    }
}
