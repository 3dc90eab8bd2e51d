// What of Dovecot's configuration syntax carries over, for lines an administrator pastes from Dovecot's
// conf.d: blocks (`plugin { … }`, `protocol sieve { … }`, `service … { … }`), Pigeonhole's storage location
// (`sieve = file:PATH;active=PATH`), `mail_location`, and the settings that have no meaning here.

/// A setting or block that was read but does not apply here, with the reason (`managesievectl config` prints
/// these; the server ignores them silently).
public struct ConfigNote: Equatable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var message: String

    public var description: String { "\(file):\(line): \(message)" }
}

enum DovecotSyntax {
    /// What a block is: its contents apply here, or the whole block is skipped for this reason.
    enum Block: Equatable {
        case transparent
        case ignored(String)
    }

    /// `plugin { … }` (Pigeonhole's settings) and `protocol sieve { … }` apply as if written at the top level;
    /// every other block is skipped with an explanation.
    static func block(name: String, argument: String) -> Block {
        switch name {
        case "plugin":
            return .transparent
        case "protocol":
            if argument == "sieve" || argument == "managesieve" { return .transparent }
            return .ignored("ignored: settings for Dovecot's \(argument) protocol do not apply to ManageSieve")
        case "service":
            return .ignored(
                "ignored: Dovecot's service blocks configure the listener; here inetd/xinetd/systemd do")
        case "passdb", "userdb":
            return .ignored("ignored: users and passwords come from passwd_file here")
        case "local", "remote":
            return .ignored("ignored: per-address \(name) blocks are not supported here")
        default:
            return .ignored("ignored: Dovecot's \(name) block does not apply here")
        }
    }

    /// Why a Dovecot setting that is not a key here is ignored; nil for a name Dovecot does not have either
    /// (an unknown key stays an error, so that a typo is never silently ignored).
    static func explanation(for key: String) -> String? {
        let process = "ignored: a Dovecot process/listener setting; here inetd/xinetd/systemd start the server"
        let delivery = "ignored: a Pigeonhole delivery-time setting (LDA/LMTP); it does not affect ManageSieve"
        switch key {
        case "protocols", "listen", "base_dir", "instance_name", "login_greeting", "login_trusted_networks",
            "verbose_proctitle", "shutdown_clients", "import_environment", "state_dir", "libexec_dir":
            return process
        case "first_valid_gid", "last_valid_gid", "mail_uid", "mail_gid", "mail_privileged_group",
            "mail_access_groups":
            return "ignored: uids and gids come from passwd_file here"
        case "postmaster_address", "hostname", "recipient_delimiter", "sendmail_path", "submission_host":
            return delivery
        case "log_timestamp", "info_log_path", "debug_log_path", "log_prefix", "login_log_format",
            "login_log_format_elements", "mail_log_prefix":
            return "ignored: logs go to log_path or syslog in a fixed format here (managesieved(8), LOGGING)"
        case "managesieve_sieve_capability", "managesieve_notify_capability":
            return "ignored: the capabilities are derived from sieve_extensions here"
        case "managesieve_logout_format", "managesieve_client_workarounds":
            return "ignored: not configurable here"
        case "ssl_dh", "ssl_client_ca_dir", "ssl_curve_list", "ssl_options", "ssl_crypto_device",
            "ssl_key_password", "ssl_alt_cert", "ssl_alt_key", "ssl_require_crl", "ssl_crl_file", "ssl_cipher_suites":
            return "ignored: a TLS detail that is not configurable here (OpenSSL's defaults apply)"
        case "auth_debug", "auth_verbose", "auth_verbose_passwords", "auth_debug_passwords":
            return "ignored: use mail_debug = yes for debug logging; failed logins are always logged with their reason"
        default:
            break
        }
        for prefix in ["default_", "doveadm_", "director_", "replication_", "stats_", "metric"]
        where key.hasPrefix(prefix) {
            return process
        }
        for prefix in ["lda_", "lmtp_", "imap_", "pop3_", "submission_", "quota", "dict", "namespace", "acl"]
        where key.hasPrefix(prefix) {
            return "ignored: a Dovecot setting for another service; it does not apply to ManageSieve"
        }
        if key.hasPrefix("mail_") || key.hasPrefix("maildir_") || key.hasPrefix("mbox_") || key.hasPrefix("mdbox_") {
            return "ignored: a mail storage setting; only the Sieve storage is served here"
        }
        if key.hasPrefix("auth_") {
            return "ignored: Dovecot's authentication service is not used; users come from passwd_file"
        }
        if key.hasPrefix("sieve_") || key.hasPrefix("imapsieve_") {
            return delivery
        }
        return nil
    }

    // MARK: Pigeonhole's location

    /// `file:PATH[;active=PATH][;bindir=PATH][;name=NAME]` (Pigeonhole's `sieve` setting): the storage folder
    /// and the active link; nil when `text` is a plain path (the active link alone, as before).
    static func sieveLocation(_ text: String) throws(ValueError) -> (storage: String, active: String?)? {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let type = text[..<colon]
        guard !type.isEmpty, type.allSatisfy({ $0.isLetter }) else { return nil }
        guard type == "file" else {
            throw ValueError("sieve = \(type):… is not supported here (only Pigeonhole's file: storage)")
        }
        let parts = text[text.index(after: colon)...].split(separator: ";", omittingEmptySubsequences: false)
        guard let path = parts.first, !path.isEmpty else { throw ValueError("sieve = file: needs a path") }
        var active: String?
        for option in parts.dropFirst() where !option.isEmpty {
            let pair = option.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = pair[0].lowercased()
            let value = pair.count > 1 ? String(pair[1]) : ""
            switch name {
            case "active":
                guard !value.isEmpty else { throw ValueError("sieve = file:…;active= needs a path") }
                // A relative link could never be served, and one such as `t:x` would read back as a location.
                guard PathExpansion.isAbsolute(value) else {
                    throw ValueError("sieve = file:…;active=\(value) is a relative path (start it with /, ~/ or %h)")
                }
                active = value
            case "bindir", "name":
                break  // compiled binaries and the personal script's name: nothing to do here
            default:
                throw ValueError("unknown option '\(name)' in the sieve location (expected active=, bindir= or name=)")
            }
        }
        return (String(path), active)
    }

    /// Pigeonhole's storage when no `sieve_storage` is set: the `CONTROL=` folder of `mail_location` when it
    /// has one, otherwise the mail root, with `/sieve` appended (`maildir:~/Maildir` → `~/Maildir/sieve`).
    /// nil when the location has no path.
    static func sieveStorage(mailLocation: String) -> String? {
        var parts = mailLocation.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        // `maildir:~/Maildir`; a bare path (Dovecot's autodetection) has no format prefix.
        if parts.count > 1, ["maildir", "mbox", "mdbox", "sdbox", "dbox", "imapc", "pop3c", "obox"].contains(parts[0]) {
            parts.removeFirst()
        }
        guard let root = parts.first, !root.isEmpty, !root.contains("=") else { return nil }
        var base = root
        for parameter in parts.dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0].uppercased() == "CONTROL", !pair[1].isEmpty { base = String(pair[1]) }
        }
        while base.count > 1 && base.hasSuffix("/") { base.removeLast() }
        return base + "/sieve"
    }
}
