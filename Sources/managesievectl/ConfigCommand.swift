import ArgumentParser
import Auth
import Config
import Glibc
import ManageSieveProtocol
import Posix
import ServerConfiguration
import SieveCompiler
import TLS

/// `managesievectl config`: validates the configuration file and prints the effective settings.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check the configuration file and print the effective settings.",
        discussion: """
            Prints every setting's effective value as a `key = value` line (derived defaults written out), in \
            the order of managesieved.conf(5); with -n, only those that differ from the defaults. A bad file \
            prints FILE:LINE: message and exits 1; so does anything that would make the server refuse to \
            serve: unreadable (as root) or mismatched TLS files, a relative storage path, a passwd-file entry \
            whose password scheme cannot be verified, a proxied user without a usable proxy_user. Dovecot \
            settings and blocks that do not apply are named as notes; weak password schemes as warnings.
            """
    )

    @Option(name: [.customShort("c"), .customLong("config")], help: "The configuration file.")
    var file: String = "/etc/managesieved.conf"

    @Flag(
        name: [.customShort("n"), .customLong("non-default")],
        help: "Print only settings that differ from the defaults.")
    var onlyNonDefault = false

    /// The largest configuration file read.
    static let maxConfigSize = 1 << 20

    func run() throws {
        let text: [UInt8]
        do {
            text = try FileRead.readFile(path: file, maxSize: Self.maxConfigSize)
        } catch {
            Self.printError("config: cannot read the configuration: \(error)")
            throw ExitCode.failure
        }
        let settings: Settings
        var notes: [ConfigNote] = []
        do {
            settings = try ConfigParser.parse(text, fileName: file, notes: &notes)
        } catch {
            Self.printError(error.description)
            throw ExitCode.failure
        }
        for note in notes { Self.printError("note: \(note)") }
        let findings = Self.findings(for: settings)
        for finding in findings {
            Self.printError("\(finding.isError ? "error" : "warning"): \(finding.message)")
        }
        if let problem = Self.tlsProblem(for: settings) {
            Self.printError(
                "\(file): TLS: \(problem) (managesieved would log it and end every STARTTLS or implicit-TLS connection)"
            )
            throw ExitCode.failure
        }
        if findings.contains(where: \.isError) {
            Self.printError("\(file): managesieved would refuse to serve (the errors above)")
            throw ExitCode.failure
        }
        for (key, value) in Self.effectiveEntries(settings, onlyNonDefault: onlyNonDefault) {
            print(value.isEmpty ? "\(key) =" : "\(key) = \(ConfigParser.quoteIfNeeded(value))")
        }
    }

    /// The settings as `entries` gives them, with the derived defaults written out: the extensions a script
    /// may use when `sieve_extensions` is unset, and whether plaintext logins wait for TLS.
    static func effectiveEntries(_ settings: Settings, onlyNonDefault: Bool) -> [(key: String, value: String)] {
        settings.entries(onlyNonDefault: onlyNonDefault).map { entry in
            switch entry.key {
            case "sieve_extensions":
                let set = settings.sieveExtensions.flatMap { try? ExtensionSet(parsing: $0) } ?? .pigeonholeDefault
                return (entry.key, set.names.joined(separator: " "))
            case "disable_plaintext_auth":
                return (entry.key, settings.effectiveDisablePlaintextAuth ? "yes" : "no")
            default:
                return entry
            }
        }
    }

    /// Builds the TLS context exactly as the server will, so that a mismatched key, an expired certificate or
    /// a bad protocol/cipher setting is reported now rather than on the first connection that starts TLS (the
    /// server builds its context only then, and logs the error).
    static func tlsProblem(for settings: Settings) -> String? {
        guard let tls = settings.tlsSettings, FileRead.isReadable(tls.certificatePath), FileRead.isReadable(tls.keyPath)
        else { return nil }
        do {
            _ = try TLSServerContext(settings: tls)
            return nil
        } catch {
            return error.description
        }
    }

    /// Something `config` found: an error is what makes the server refuse to serve (a login, a connection or
    /// every connection); a warning is worth knowing but serves.
    struct Finding {
        var isError: Bool
        var message: String
    }

    /// Checks what the parser cannot: the files the settings name, the storage templates, every passwd-file
    /// entry's password scheme, and the proxy entries' needs.
    static func findings(for settings: Settings) -> [Finding] {
        var findings: [Finding] = []
        let asRoot = geteuid() == 0
        for (key, path) in [("ssl_cert", settings.sslCert), ("ssl_key", settings.sslKey), ("ssl_ca", settings.sslCA)] {
            guard let path else {
                if settings.ssl != .no && key != "ssl_ca" {
                    findings.append(
                        Finding(isError: true, message: "\(key) is not set but ssl = \(settings.ssl.rawValue)"))
                }
                continue
            }
            if !FileRead.isReadable(path) {
                // The server reads these as root; another user's check cannot tell.
                findings.append(
                    Finding(
                        isError: asRoot,
                        message: "\(key): cannot read \(path)\(asRoot ? "" : " (as this user; run as root to be sure)")"
                    ))
            }
        }
        if settings.ssl == .no, settings.sslCert != nil || settings.sslKey != nil {
            findings.append(Finding(isError: false, message: "ssl_cert/ssl_key are set but ssl = no: TLS is off"))
        }
        for (key, template) in [("sieve_storage", settings.sieveStorage), ("sieve", settings.sieve)] {
            if let problem = storageTemplateProblem(template) {
                findings.append(Finding(isError: true, message: "\(key) = \(template): \(problem)"))
            }
        }
        for (key, words) in [
            ("haproxy_trusted_networks", settings.haproxyTrustedNetworks),
            ("login_trusted_networks", settings.loginTrustedNetworks),
        ] {
            // The server skips an entry it cannot read, so a typo silently leaves that proxy untrusted.
            for word in words where NetworkRange(word) == nil {
                findings.append(
                    Finding(
                        isError: true,
                        message: "\(key): '\(word)' is not an address or ADDRESS/BITS (managesieved skips it: "
                            + "peers there are not trusted)"))
            }
        }
        findings += passwdFindings(settings)
        findings += authFindings(settings)
        return findings
    }

    /// Why a path template cannot name a user's storage: it must be absolute once expanded (`/…`, `~`, `~/…`,
    /// `%h…`) and be a path, not a Dovecot location with a type or options.
    static func storageTemplateProblem(_ template: String) -> String? {
        guard PathExpansion.isAbsolute(template) else { return "a relative path (start it with /, ~/ or %h)" }
        if template.contains(";") { return "contains ';' (a Pigeonhole location belongs in 'sieve = file:…;active=…')" }
        if template.utf8.contains(0) { return "contains NUL" }
        return nil
    }

    /// Every entry's password field (unknown or unusable schemes are errors; weak ones warnings), duplicate and
    /// malformed lines, and the proxy entries' need for `proxy_user`.
    static func passwdFindings(_ settings: Settings) -> [Finding] {
        let path = settings.passwdFile
        let passwd: PasswdFile
        do {
            passwd = try PasswdFile.load(path: path)
        } catch {
            // The server still greets and serves nobody; a fresh installation has no file yet.
            return [Finding(isError: false, message: "passwd_file: \(error)")]
        }
        var findings: [Finding] = []
        for problem in passwd.problems {
            findings.append(
                Finding(isError: false, message: "\(path):\(problem.line): \(problem.message) (line skipped)"))
        }
        var weak: [String: [Int]] = [:]
        var proxied: (line: Int, user: String)?
        var users: [String: PasswdEntry] = [:]
        passwd.forEachEntry { line, entry in
            if users[entry.user] == nil { users[entry.user] = entry }
            if entry.flags.contains("proxy") || entry.flags.contains("proxy_maybe") {
                if proxied == nil { proxied = (line, entry.user) }
                // A proxied user's password may live on the backend only; nothing to check here.
                if entry.password.isEmpty { return }
            }
            switch StoredPassword.parse(entry.password) {
            case .failure(.malformed(let scheme, let why)) where why.hasPrefix("a locked account"):
                findings.append(
                    Finding(isError: false, message: "\(path):\(line): user '\(entry.user)': {\(scheme)} \(why)"))
            case .failure(let problem):
                findings.append(
                    Finding(
                        isError: true,
                        message: "\(path):\(line): user '\(entry.user)' cannot log in: \(problem)"))
            case .success(let stored):
                if let why = stored.weakness { weak["\(stored.scheme) (\(why))", default: []].append(line) }
            }
        }
        for (scheme, lines) in weak.sorted(by: { $0.key < $1.key }) {
            let shown = lines.prefix(10).map(String.init).joined(separator: ", ") + (lines.count > 10 ? ", …" : "")
            findings.append(
                Finding(
                    isError: false,
                    message: "\(path): weak password scheme \(scheme) on \(lines.count) line(s): \(shown); "
                        + "rehash with managesievectl hash-password"))
        }
        if let proxied {
            let where_ = "\(path):\(proxied.line): user '\(proxied.user)' is proxied"
            if let name = settings.proxyUser {
                if let entry = users[name] {
                    if entry.uid == 0 || entry.gid == 0 {
                        findings.append(
                            Finding(isError: true, message: "\(where_), but proxy_user \(name) has uid or gid 0"))
                    }
                } else {
                    findings.append(
                        Finding(isError: true, message: "\(where_), but proxy_user \(name) is not in passwd_file"))
                }
            } else {
                findings.append(Finding(isError: true, message: "\(where_), but proxy_user is not set"))
            }
        }
        return findings
    }
}

extension ConfigCommand {
    /// Writes a line to standard error (unbuffered, so it interleaves correctly with prompts).
    static func printError(_ text: String) {
        var bytes = Array((text + "\n").utf8)
        bytes.withUnsafeMutableBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(2, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 && errno == EINTR { continue }
                if written <= 0 { return }
                offset += written
            }
        }
    }
}
