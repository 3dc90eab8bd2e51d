// The table of keys: name, how to read a value into `Settings`, how to print it back.
// `names` gives the order of `Settings.allKeys` and of `entries(onlyNonDefault:)`.
//
// Two switches rather than a table of key paths or closures: every connection parses the file afresh, and
// a key path literal makes the runtime build type metadata on its first use, and a table of closures over
// generic value kinds more per kind, far more than the few string compares a switch over the name costs.
// `SettingKeyTests` checks that both switches know every name.

enum SettingKey {
    /// Every key, in the documented order (the order of the reference in the man page).
    static let names: [String] = [
        "passwd_file", "sieve_storage", "sieve", "mail_location", "managesieve_implementation_string",
        "managesieve_max_line_length", "managesieve_max_compile_errors", "sieve_max_script_size",
        "sieve_quota_max_scripts", "sieve_quota_max_storage", "sieve_extensions", "sieve_max_redirects",
        "first_valid_uid", "last_valid_uid", "first_valid_gid", "last_valid_gid", "auth_failure_delay",
        "auth_max_attempts", "log_path", "syslog_facility", "mail_debug", "managesieve_idle_timeout",
        "managesieve_command_timeout", "managesieve_login_timeout",
        "managesieve_max_commands", "managesieve_max_bad_commands", "managesieve_max_memory", "managesieve_max_cpu",
        "sieve_lock_timeout", "sieve_history_max_versions", "sieve_history_max_size", "ssl", "ssl_cert",
        "ssl_key", "ssl_ca", "ssl_min_protocol", "ssl_cipher_list", "ssl_prefer_server_ciphers",
        "disable_plaintext_auth", "auth_allow_scram_before_tls", "auth_mechanisms", "auth_scram_secret_file",
        "ssl_sniff_timeout", "ssl_verify_client_cert", "ssl_cert_username_field",
        "rawlog_dir", "rawlog_users", "rawlog_peers", "rawlog_max_literal", "rawlog_max_size",
        "proxy_user", "haproxy_trusted_networks",
        "oauth2_jwks_file", "oauth2_issuers", "oauth2_audience", "oauth2_username_claim", "oauth2_scope",
        "oauth2_leeway", "oauth2_active_attribute", "oauth2_active_value", "checkpassword", "checkpassword_users",
        "checkpassword_timeout", "ssl_client_ca_file", "login_trusted_networks",
    ]

    static let syslogFacilities = [
        "auth", "authpriv", "cron", "daemon", "ftp", "kern", "lpr", "mail", "news", "syslog", "user", "uucp",
        "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
    ]

    /// The other name of the same setting (Pigeonhole's older `sieve_dir` for `sieve_storage`), if any.
    static func sameSetting(as name: String) -> String? {
        switch name {
        case "sieve_dir": "sieve_storage"
        case "sieve_storage": "sieve_dir"
        default: nil
        }
    }

    /// Reads `text` into the setting `name`; false when there is no such key.
    static func apply(_ name: String, _ text: String, to s: inout Settings) throws(ValueError) -> Bool {
        switch name {
        case "passwd_file": s.passwdFile = try nonEmpty(name, text)
        case "sieve_storage": s.sieveStorage = try nonEmpty(name, text)
        case "sieve":
            let value = try nonEmpty(name, text)
            if let location = try DovecotSyntax.sieveLocation(value) {
                s.sieveLocationStorage = location.storage
                s.sieve = location.active ?? Settings.defaultActiveLink
            } else {
                s.sieve = value
            }
        case "sieve_dir": s.sieveStorage = try nonEmpty(name, text)
        case "mail_location": s.mailLocation = optional(text)
        case "mail_debug": s.mailDebug = try Values.bool(text)
        case "managesieve_implementation_string": s.implementationString = try nonEmpty(name, text)
        case "managesieve_max_line_length": s.maxLineLength = try intSize(name, text, minimum: 64)
        case "managesieve_max_compile_errors": s.maxCompileErrors = try count(name, text, minimum: 1)
        case "sieve_max_script_size": s.maxScriptSize = try Values.size(text)
        case "sieve_quota_max_scripts": s.quotaMaxScripts = try Values.unsigned(text)
        case "sieve_quota_max_storage": s.quotaMaxStorage = try Values.size(text)
        case "sieve_history_max_versions": s.historyMaxVersions = try count(name, text)
        case "sieve_history_max_size": s.historyMaxSize = try Values.size(text)
        case "sieve_extensions": s.sieveExtensions = optional(text)
        case "sieve_max_redirects": s.maxRedirects = try count(name, text)
        case "first_valid_uid": s.firstValidUID = try uid(text)
        case "last_valid_uid": s.lastValidUID = try uid(text)
        case "first_valid_gid": s.firstValidGID = try uid(text)
        case "last_valid_gid": s.lastValidGID = try uid(text)
        case "auth_failure_delay": s.authFailureDelayMilliseconds = try Values.milliseconds(text)
        case "auth_max_attempts": s.authMaxAttempts = try count(name, text, minimum: 1)
        case "log_path": s.logPath = optional(text)
        case "syslog_facility": s.syslogFacility = try choice(name, text, syslogFacilities)
        case "managesieve_idle_timeout": s.idleTimeoutMilliseconds = try Values.milliseconds(text)
        case "managesieve_command_timeout": s.commandTimeoutMilliseconds = try Values.milliseconds(text)
        case "managesieve_login_timeout": s.loginTimeoutMilliseconds = try Values.milliseconds(text)
        case "managesieve_max_commands": s.maxCommands = try count(name, text)
        case "managesieve_max_bad_commands": s.maxBadCommands = try count(name, text, minimum: 1)
        case "managesieve_max_memory": s.maxMemory = try Values.size(text)
        case "managesieve_max_cpu": s.maxCPUMilliseconds = try Values.milliseconds(text)
        case "sieve_lock_timeout": s.lockTimeoutMilliseconds = try Values.milliseconds(text)
        case "ssl":
            // A switch rather than `SSLMode(rawValue:)`, whose generated table costs start-up on first use.
            switch text.lowercased() {
            case "no": s.ssl = .no
            case "yes": s.ssl = .yes
            case "required": s.ssl = .required
            default: throw ValueError("invalid value '\(text)' for 'ssl' (expected no, yes or required)")
            }
        case "ssl_cert": s.sslCert = optional(text)
        case "ssl_key": s.sslKey = optional(text)
        case "ssl_ca": s.sslCA = optional(text)
        case "ssl_min_protocol": s.sslMinProtocol = try choice(name, text, Settings.sslProtocols)
        case "ssl_cipher_list": s.sslCipherList = optional(text)
        case "ssl_prefer_server_ciphers": s.sslPreferServerCiphers = try Values.bool(text)
        case "disable_plaintext_auth": s.disablePlaintextAuth = text.isEmpty ? nil : try Values.bool(text)
        case "auth_allow_scram_before_tls": s.authAllowSCRAMBeforeTLS = try Values.bool(text)
        case "auth_mechanisms": s.authMechanisms = try mechanisms(text)
        case "auth_scram_secret_file": s.authSCRAMSecretFile = try nonEmpty(name, text)
        case "ssl_sniff_timeout": s.sslSniffTimeoutMilliseconds = try Values.milliseconds(text)
        case "ssl_verify_client_cert": s.sslVerifyClientCert = try Values.bool(text)
        case "ssl_cert_username_field": s.sslCertUsernameField = try nonEmpty(name, text)
        case "rawlog_dir": s.rawlogDir = optional(text)
        case "rawlog_users": s.rawlogUsers = try Values.list(text)
        case "rawlog_peers": s.rawlogPeers = try Values.list(text)
        case "rawlog_max_literal": s.rawlogMaxLiteral = try intSize(name, text)
        case "rawlog_max_size": s.rawlogMaxSize = try Values.size(text)
        case "proxy_user": s.proxyUser = optional(text)
        case "haproxy_trusted_networks": s.haproxyTrustedNetworks = try Values.list(text)
        case "oauth2_jwks_file": s.oauth2JWKSFile = optional(text)
        case "oauth2_issuers": s.oauth2Issuers = try Values.list(text)
        case "oauth2_audience": s.oauth2Audience = optional(text)
        case "oauth2_username_claim": s.oauth2UsernameClaim = try nonEmpty(name, text)
        case "oauth2_scope": s.oauth2Scope = try Values.list(text)
        case "oauth2_leeway": s.oauth2LeewayMilliseconds = try Values.milliseconds(text)
        case "oauth2_active_attribute": s.oauth2ActiveAttribute = optional(text)
        case "oauth2_active_value": s.oauth2ActiveValue = try nonEmpty(name, text)
        case "checkpassword": s.checkpassword = optional(text)
        case "checkpassword_users": s.checkpasswordUsers = try choice(name, text, ["unknown", "all"])
        case "checkpassword_timeout": s.checkpasswordTimeoutMilliseconds = try Values.milliseconds(text)
        case "ssl_client_ca_file": s.sslClientCAFile = optional(text)
        case "login_trusted_networks": s.loginTrustedNetworks = try Values.list(text)
        default: return false
        }
        return true
    }

    /// The value of `name` in the syntax `apply` reads ("" when unset); nil when there is no such key.
    static func render(_ name: String, of s: Settings) -> String? {
        switch name {
        case "passwd_file": s.passwdFile
        case "sieve_storage": s.sieveStorage
        case "sieve": s.sieve
        case "mail_location": s.mailLocation ?? ""
        case "mail_debug": Values.render(s.mailDebug)
        case "managesieve_implementation_string": s.implementationString
        case "managesieve_max_line_length": Values.renderSize(UInt64(s.maxLineLength))
        case "managesieve_max_compile_errors": String(s.maxCompileErrors)
        case "sieve_max_script_size": Values.renderSize(s.maxScriptSize)
        case "sieve_quota_max_scripts": String(s.quotaMaxScripts)
        case "sieve_quota_max_storage": Values.renderSize(s.quotaMaxStorage)
        case "sieve_history_max_versions": String(s.historyMaxVersions)
        case "sieve_history_max_size": Values.renderSize(s.historyMaxSize)
        case "sieve_extensions": s.sieveExtensions ?? ""
        case "sieve_max_redirects": String(s.maxRedirects)
        case "first_valid_uid": String(s.firstValidUID)
        case "last_valid_uid": String(s.lastValidUID)
        case "first_valid_gid": String(s.firstValidGID)
        case "last_valid_gid": String(s.lastValidGID)
        case "auth_failure_delay": Values.renderTime(s.authFailureDelayMilliseconds)
        case "auth_max_attempts": String(s.authMaxAttempts)
        case "log_path": s.logPath ?? ""
        case "syslog_facility": s.syslogFacility
        case "managesieve_idle_timeout": Values.renderTime(s.idleTimeoutMilliseconds)
        case "managesieve_command_timeout": Values.renderTime(s.commandTimeoutMilliseconds)
        case "managesieve_login_timeout": Values.renderTime(s.loginTimeoutMilliseconds)
        case "managesieve_max_commands": String(s.maxCommands)
        case "managesieve_max_bad_commands": String(s.maxBadCommands)
        case "managesieve_max_memory": Values.renderSize(s.maxMemory)
        case "managesieve_max_cpu": Values.renderTime(s.maxCPUMilliseconds)
        case "sieve_lock_timeout": Values.renderTime(s.lockTimeoutMilliseconds)
        case "ssl": s.ssl.rawValue
        case "ssl_cert": s.sslCert ?? ""
        case "ssl_key": s.sslKey ?? ""
        case "ssl_ca": s.sslCA ?? ""
        case "ssl_min_protocol": s.sslMinProtocol
        case "ssl_cipher_list": s.sslCipherList ?? ""
        case "ssl_prefer_server_ciphers": Values.render(s.sslPreferServerCiphers)
        case "disable_plaintext_auth": s.disablePlaintextAuth.map(Values.render) ?? ""
        case "auth_allow_scram_before_tls": Values.render(s.authAllowSCRAMBeforeTLS)
        case "auth_mechanisms": s.authMechanisms.map(Values.renderList) ?? ""
        case "auth_scram_secret_file": s.authSCRAMSecretFile
        case "ssl_sniff_timeout": Values.renderTime(s.sslSniffTimeoutMilliseconds)
        case "ssl_verify_client_cert": Values.render(s.sslVerifyClientCert)
        case "ssl_cert_username_field": s.sslCertUsernameField
        case "rawlog_dir": s.rawlogDir ?? ""
        case "rawlog_users": Values.renderList(s.rawlogUsers)
        case "rawlog_peers": Values.renderList(s.rawlogPeers)
        case "rawlog_max_literal": Values.renderSize(UInt64(s.rawlogMaxLiteral))
        case "rawlog_max_size": Values.renderSize(s.rawlogMaxSize)
        case "proxy_user": s.proxyUser ?? ""
        case "haproxy_trusted_networks": Values.renderList(s.haproxyTrustedNetworks)
        case "oauth2_jwks_file": s.oauth2JWKSFile ?? ""
        case "oauth2_issuers": Values.renderList(s.oauth2Issuers)
        case "oauth2_audience": s.oauth2Audience ?? ""
        case "oauth2_username_claim": s.oauth2UsernameClaim
        case "oauth2_scope": Values.renderList(s.oauth2Scope)
        case "oauth2_leeway": Values.renderTime(s.oauth2LeewayMilliseconds)
        case "oauth2_active_attribute": s.oauth2ActiveAttribute ?? ""
        case "oauth2_active_value": s.oauth2ActiveValue
        case "checkpassword": s.checkpassword ?? ""
        case "checkpassword_users": s.checkpasswordUsers
        case "checkpassword_timeout": Values.renderTime(s.checkpasswordTimeoutMilliseconds)
        case "ssl_client_ca_file": s.sslClientCAFile ?? ""
        case "login_trusted_networks": Values.renderList(s.loginTrustedNetworks)
        default: nil
        }
    }

    // MARK: value kinds

    /// A non-empty string.
    private static func nonEmpty(_ name: String, _ text: String) throws(ValueError) -> String {
        guard !text.isEmpty else { throw ValueError("'\(name)' must not be empty") }
        return text
    }

    /// A string or nothing (an empty value).
    private static func optional(_ text: String) -> String? { text.isEmpty ? nil : text }

    /// One of a fixed set of words.
    private static func choice(_ name: String, _ text: String, _ allowed: [String]) throws(ValueError) -> String {
        guard allowed.contains(text) else {
            throw ValueError(
                "invalid value '\(text)' for '\(name)' (expected one of: \(allowed.joined(separator: ", ")))")
        }
        return text
    }

    /// `auth_mechanisms`: Dovecot's list of SASL mechanism names, any case; empty means every mechanism.
    private static func mechanisms(_ text: String) throws(ValueError) -> [String]? {
        let names = try Values.list(text).map { $0.uppercased() }
        guard !names.isEmpty else { return nil }
        for name in names where !Settings.saslMechanisms.contains(name) {
            throw ValueError(
                "unknown mechanism '\(name)' in 'auth_mechanisms' (known: "
                    + "\(Settings.saslMechanisms.joined(separator: " ")))")
        }
        var unique: [String] = []
        for name in names where !unique.contains(name) { unique.append(name) }
        return unique
    }

    /// A plain count, at least `minimum`.
    private static func count(_ name: String, _ text: String, minimum: Int = 0) throws(ValueError) -> Int {
        let value = Int(try Values.unsigned(text, max: UInt64(Int32.max)))
        guard value >= minimum else { throw ValueError("'\(name)' must be at least \(minimum)") }
        return value
    }

    private static func uid(_ text: String) throws(ValueError) -> UInt32 {
        UInt32(try Values.unsigned(text, max: UInt64(UInt32.max)))
    }

    /// A size held in an Int (buffer limits), at least `minimum`.
    private static func intSize(_ name: String, _ text: String, minimum: Int = 0) throws(ValueError) -> Int {
        let value = Int(try Values.size(text, max: UInt64(Int32.max)))
        guard value >= minimum else {
            throw ValueError("'\(name)' must be at least \(Values.renderSize(UInt64(minimum)))")
        }
        return value
    }
}

extension Settings {
    /// Every configuration key, in the order `entries(onlyNonDefault:)` prints them.
    public static let allKeys: [String] = SettingKey.names

    /// The settings as `key = value` pairs in `allKeys` order; values are in the syntax the parser accepts
    /// (quote them with `ConfigParser.quoteIfNeeded` when writing a file). An unset value is "".
    public func entries(onlyNonDefault: Bool) -> [(key: String, value: String)] {
        let defaults = Settings()
        var result: [(key: String, value: String)] = []
        for name in SettingKey.names {
            let value = SettingKey.render(name, of: self) ?? ""
            if onlyNonDefault && value == SettingKey.render(name, of: defaults) { continue }
            result.append((key: name, value: value))
        }
        return result
    }
}
