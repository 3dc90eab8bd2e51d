// The server's typed settings with their defaults. Key names follow Dovecot's where Dovecot has the
// setting, so an admin's knowledge (and often their lines) carries over.

/// How TLS is offered (`ssl`).
public enum SSLMode: String, Equatable, Sendable, CaseIterable {
    /// No TLS at all; STARTTLS is not offered.
    case no
    /// STARTTLS is offered.
    case yes
    /// STARTTLS is offered and required before any login.
    case required
}

/// Every setting of managesieved, with defaults. Times are in milliseconds, sizes in octets.
public struct Settings: Equatable, Sendable {
    /// `passwd_file`: the Dovecot-format passwd-file.
    public var passwdFile: String = "/etc/managesieved/passwd"
    /// `sieve_storage`: the per-user script folder (a template, see `PathExpansion`).
    public var sieveStorage: String = "~/sieve"
    /// `sieve`: the active-script symlink (a template, see `PathExpansion`); Pigeonhole's location
    /// `file:STORAGE;active=LINK` sets `sieveStorage` too.
    public var sieve: String = Settings.defaultActiveLink
    /// The active link when neither `sieve` nor its location's `active=` names one.
    public static let defaultActiveLink = "~/.dovecot.sieve"
    /// The storage named by `sieve = file:…` (applied to `sieveStorage` once the whole file is read).
    var sieveLocationStorage: String? = nil
    /// `mail_location`: Dovecot's mail location; when `sieve_storage` is not set, the scripts live in its
    /// `CONTROL=` folder or its root, in `sieve/` (Pigeonhole's fallback).
    public var mailLocation: String? = nil
    /// `managesieve_implementation_string`: the IMPLEMENTATION capability.
    public var implementationString: String = "managesieved"
    /// `managesieve_max_line_length`: the longest command line accepted.
    public var maxLineLength: Int = 65536
    /// `managesieve_max_compile_errors`: errors reported per script.
    public var maxCompileErrors: Int = 5
    /// `sieve_max_script_size`: 0 means unlimited (the server still caps at 64 MiB).
    public var maxScriptSize: UInt64 = 1 << 20
    /// `sieve_quota_max_scripts`: 0 means unlimited.
    public var quotaMaxScripts: UInt64 = 0
    /// `sieve_quota_max_storage`: 0 means unlimited.
    public var quotaMaxStorage: UInt64 = 0
    /// `sieve_extensions`: Dovecot's list syntax (`+ext -ext` or a plain list), passed through.
    public var sieveExtensions: String? = nil
    /// `sieve_max_redirects`: the MAXREDIRECTS capability.
    public var maxRedirects: Int = 4
    /// `first_valid_uid`: lower uids may not log in.
    public var firstValidUID: UInt32 = 500
    /// `last_valid_uid`: higher uids may not log in; 0 means no upper bound.
    public var lastValidUID: UInt32 = 0
    /// `first_valid_gid`: lower group ids (primary or supplementary) may not log in; group 0 never may.
    public var firstValidGID: UInt32 = 1
    /// `last_valid_gid`: higher group ids may not log in; 0 means no upper bound.
    public var lastValidGID: UInt32 = 0
    /// `auth_failure_delay`: the pause before a failed login's NO.
    public var authFailureDelayMilliseconds: Int = 2000
    /// `auth_max_attempts`: failed logins before BYE.
    public var authMaxAttempts: Int = 3
    /// `log_path`: a log file instead of syslog.
    public var logPath: String? = nil
    /// `syslog_facility`.
    public var syslogFacility: String = "mail"
    /// `mail_debug`: debug lines are logged too (Dovecot's name; off by default, as there).
    public var mailDebug: Bool = false
    /// `managesieve_idle_timeout`: an idle session ends after this long.
    public var idleTimeoutMilliseconds: Int = 30 * 60 * 1000
    /// `managesieve_command_timeout`: the longest a command (with its literals) may take to arrive.
    public var commandTimeoutMilliseconds: Int = 60 * 1000
    /// `managesieve_login_timeout`: the longest a session may stay unauthenticated.
    public var loginTimeoutMilliseconds: Int = 60 * 1000
    /// `managesieve_max_commands`: 0 means unlimited.
    public var maxCommands: Int = 0
    /// `managesieve_max_bad_commands`: invalid commands before BYE.
    public var maxBadCommands: Int = 3
    /// `managesieve_max_memory`: a logged-in session's address-space limit (RLIMIT_AS); 0 means none.
    public var maxMemory: UInt64 = 256 << 20
    /// `managesieve_max_cpu`: a logged-in session's CPU time limit (RLIMIT_CPU), whole seconds; 0 means none.
    public var maxCPUMilliseconds: Int = 60 * 1000
    /// `sieve_history_max_versions`: replaced or deleted versions kept per script; 0 keeps none.
    public var historyMaxVersions: Int = 10
    /// `sieve_history_max_size`: all kept versions of a user together (not part of the quota); 0 keeps none.
    public var historyMaxSize: UInt64 = 10 << 20
    /// `sieve_lock_timeout`: how long to wait for the storage lock.
    public var lockTimeoutMilliseconds: Int = 10 * 1000
    /// `ssl`.
    public var ssl: SSLMode = .no
    /// `ssl_cert`: PEM certificate chain file.
    public var sslCert: String? = nil
    /// `ssl_key`: PEM private key file.
    public var sslKey: String? = nil
    /// `ssl_ca`: CA file for verifying client certificates (SASL EXTERNAL) and completing the server's chain.
    /// Never used for the proxy's backends: trusting a backend's CA must not let its certificates log in.
    public var sslCA: String? = nil
    /// `ssl_min_protocol`: one of `Settings.sslProtocols`.
    public var sslMinProtocol: String = "TLSv1.2"
    /// `ssl_cipher_list`: OpenSSL cipher list (TLS 1.2 and lower).
    public var sslCipherList: String? = nil
    /// `ssl_prefer_server_ciphers`.
    public var sslPreferServerCiphers: Bool = false
    /// `disable_plaintext_auth`: nil means "yes when ssl is not no" (see `effectiveDisablePlaintextAuth`).
    public var disablePlaintextAuth: Bool? = nil
    /// `auth_allow_scram_before_tls`: with `disable_plaintext_auth`, SCRAM is still offered before STARTTLS.
    public var authAllowSCRAMBeforeTLS: Bool = false
    /// `auth_mechanisms`: the SASL mechanisms offered at all (upper case, from `saslMechanisms`); nil offers
    /// every mechanism that can succeed.
    public var authMechanisms: [String]? = nil
    /// `auth_scram_secret_file`: the secret behind the SCRAM salts shown for unknown users; made (32 random
    /// octets, mode 0600) the first time it is needed.
    public var authSCRAMSecretFile: String = "/var/lib/managesieved/scram-secret"
    /// `ssl_sniff_timeout`: how long to wait, before the greeting, for a client that starts with a TLS
    /// handshake, so that one port serves STARTTLS and implicit TLS. Every STARTTLS client waits this long for
    /// its greeting, so it is off (0) by default: implicit TLS gets a port of its own (`--implicit-tls`). On a
    /// loaded 2-core machine a ClientHello arrived up to 70 ms after accept (bench/results.md).
    public var sslSniffTimeoutMilliseconds: Int = 0
    /// `ssl_verify_client_cert`.
    public var sslVerifyClientCert: Bool = false
    /// `ssl_cert_username_field`: the certificate field that names the user (SASL EXTERNAL).
    public var sslCertUsernameField: String = "commonName"
    /// `rawlog_dir`: where session transcripts go; nil means none.
    public var rawlogDir: String? = nil
    /// `rawlog_users`: users whose sessions are transcribed.
    public var rawlogUsers: [String] = []
    /// `rawlog_peers`: peer addresses or networks whose sessions are transcribed.
    public var rawlogPeers: [String] = []
    /// `rawlog_max_literal`: literal bytes kept per literal in a transcript.
    public var rawlogMaxLiteral: Int = 64 * 1024
    /// `rawlog_max_size`: a transcript file stops growing at this size (one log line says so); 0 means no cap.
    public var rawlogMaxSize: UInt64 = 10 << 20
    /// `proxy_user`: proxy this login elsewhere (see the proxy issue).
    public var proxyUser: String? = nil
    /// `haproxy_trusted_networks`: peers allowed to send a PROXY header.
    public var haproxyTrustedNetworks: [String] = []
    /// `oauth2_jwks_file`: the identity provider's public keys (JWK set); OAUTHBEARER/XOAUTH2 only when set.
    public var oauth2JWKSFile: String? = nil
    /// `oauth2_issuers`: accepted `iss` values (Dovecot: `issuers`).
    public var oauth2Issuers: [String] = []
    /// `oauth2_audience`: the `aud` a token must contain (Dovecot: `client_id` / `audience`).
    public var oauth2Audience: String? = nil
    /// `oauth2_username_claim`: the claim that names the user (Dovecot: `username_attribute`).
    public var oauth2UsernameClaim: String = "email"
    /// `oauth2_scope`: scopes a token must have (Dovecot: `scope`).
    public var oauth2Scope: [String] = []
    /// `oauth2_leeway`: clock skew allowed on exp/nbf/iat.
    public var oauth2LeewayMilliseconds: Int = 30 * 1000
    /// `oauth2_active_attribute`: a claim that must hold `oauth2_active_value` (Dovecot: `active_attribute`).
    public var oauth2ActiveAttribute: String? = nil
    /// `oauth2_active_value` (Dovecot: `active_value`).
    public var oauth2ActiveValue: String = "true"
    /// `checkpassword`: a checkpassword program (absolute path, then its arguments) for PLAIN/LOGIN.
    public var checkpassword: String? = nil
    /// `checkpassword_users`: `unknown` (users the passwd-file does not list) or `all`.
    public var checkpasswordUsers: String = "unknown"
    /// `checkpassword_timeout`: the longest the program may run before it is killed.
    public var checkpasswordTimeoutMilliseconds: Int = 10 * 1000
    /// `ssl_client_ca_file` (Dovecot's name): CA file for verifying the proxy's backends, i.e. this server as
    /// a TLS client; nil uses OpenSSL's default CA paths.
    public var sslClientCAFile: String? = nil
    /// `login_trusted_networks` (Dovecot's name): peers (other proxies) allowed to send XCLIENT, which carries
    /// the real client's address and the proxy hop count (TTL).
    public var loginTrustedNetworks: [String] = []

    /// All defaults.
    public init() {}

    /// The names `auth_mechanisms` accepts: every SASL mechanism the server implements (kept equal to
    /// `SASLServer.supportedMechanisms` and `bearerMechanisms` by a test, since Config cannot see the Auth target).
    public static let saslMechanisms = [
        "PLAIN", "LOGIN", "SCRAM-SHA-256-PLUS", "SCRAM-SHA-256", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-1", "EXTERNAL",
        "OAUTHBEARER", "XOAUTH2",
    ]

    /// The accepted `ssl_min_protocol` values, oldest first.
    public static let sslProtocols = ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]

    /// Whether PLAIN/LOGIN are refused before TLS: as set, or, when unset, whenever TLS is offered.
    public var effectiveDisablePlaintextAuth: Bool {
        disablePlaintextAuth ?? (ssl != .no)
    }
}
