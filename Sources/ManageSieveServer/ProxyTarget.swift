import Auth

/// Where and how a login is relayed: read from Dovecot's passdb extra fields on the user's passwd-file line
/// (`proxy host=10.0.0.2 port=4190 destuser=… starttls=yes proxy_timeout=10 master=… pass=…`), so that
/// existing files work unchanged.
public struct ProxyTarget: Equatable, Sendable {
    /// TLS towards the backend.
    public enum Security: Equatable, Sendable {
        /// Plaintext.
        case none
        /// `ssl=yes|any-cert`: TLS from the first byte (`any-cert`: the certificate is not verified).
        case implicitTLS(verifyCertificate: Bool)
        /// `starttls=yes|any-cert`: STARTTLS after the greeting (RFC 5804 §2.2).
        case startTLS(verifyCertificate: Bool)
    }

    /// A line of extra fields that cannot be proxied as written.
    public enum FieldError: Error, Equatable, Sendable, CustomStringConvertible {
        case missingHost
        case badPort(String)
        case badTLSMode(field: String, value: String)
        case badTimeout(String)
        case masterWithoutPassword
        public var description: String {
            switch self {
            case .missingHost: "proxy without host="
            case .badPort(let value): "port=\(value) is not a port number"
            case .badTLSMode(let field, let value): "\(field)=\(value): expected yes or any-cert"
            case .badTimeout(let value): "proxy_timeout=\(value) is not a positive number of seconds"
            case .masterWithoutPassword: "master= needs pass="
            }
        }
    }

    /// The backend: a numeric address or a name from /etc/hosts.
    public var host: String
    /// `port=`, 4190 by default.
    public var port: UInt16 = 4190
    /// The user to log in as on the backend: `destuser=`, else the login name.
    public var user: String
    public var security: Security = .none
    /// `proxy_timeout=` in milliseconds (seconds in the file; 30 s by default): bounds connecting, TLS and login.
    public var timeoutMilliseconds: Int = 30_000
    /// `master=`: log in as this master user with `authzid = user` instead of reusing the client's password.
    public var masterUser: String?
    /// `pass=`: the master user's password.
    public var masterPassword: String?

    public init(host: String, user: String) {
        self.host = host
        self.user = user
    }

    /// The target for a passwd-file entry (whether it is to be proxied at all is the caller's decision).
    public init(entry: PasswdEntry) throws(FieldError) {
        let fields = entry.extraFields
        guard let host = fields["host"], !host.isEmpty else { throw .missingHost }
        self.init(host: host, user: fields["destuser"].flatMap { $0.isEmpty ? nil : $0 } ?? entry.user)
        if let value = fields["port"] {
            guard let port = UInt16(value), port > 0 else { throw .badPort(value) }
            self.port = port
        }
        if let value = fields["ssl"] {
            security = .implicitTLS(verifyCertificate: try Self.verifyMode("ssl", value))
        } else if let value = fields["starttls"] {
            security = .startTLS(verifyCertificate: try Self.verifyMode("starttls", value))
        }
        if let value = fields["proxy_timeout"] {
            guard let seconds = Int(value), seconds > 0, seconds <= 3600 else { throw .badTimeout(value) }
            timeoutMilliseconds = seconds * 1000
        }
        if let master = fields["master"], !master.isEmpty {
            guard let pass = fields["pass"] else { throw .masterWithoutPassword }
            masterUser = master
            masterPassword = pass
        }
    }

    static func verifyMode(_ field: String, _ value: String) throws(FieldError) -> Bool {
        switch value.lowercased() {
        case "yes": return true
        case "any-cert": return false
        default: throw .badTLSMode(field: field, value: value)
        }
    }

    /// `10.0.0.2:4190`, `[2001:db8::2]:4190`, for logs.
    public var endpoint: String {
        let shown = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return "\(shown):\(port)"
    }

    /// "none", "ssl", "ssl any-cert", "starttls", "starttls any-cert".
    public var securityDescription: String {
        switch security {
        case .none: "none"
        case .implicitTLS(let verify): verify ? "ssl" : "ssl any-cert"
        case .startTLS(let verify): verify ? "starttls" : "starttls any-cert"
        }
    }
}

/// What the front sends to the backend in AUTHENTICATE "PLAIN" (RFC 4616): the client's own name and
/// password, or a master user acting for it.
public struct ProxyCredentials: Equatable, Sendable {
    public var authorizationIdentity: String
    public var authenticationIdentity: String
    public var password: [UInt8]

    public init(authorizationIdentity: String, authenticationIdentity: String, password: [UInt8]) {
        self.authorizationIdentity = authorizationIdentity
        self.authenticationIdentity = authenticationIdentity
        self.password = password
    }

    /// For `target`: the master user when configured (then the client's password is never reused), else the
    /// backend user with `clientPassword`; nil when there is no password to use.
    public init?(target: ProxyTarget, clientPassword: [UInt8]?) {
        if let master = target.masterUser, let pass = target.masterPassword {
            self.init(authorizationIdentity: target.user, authenticationIdentity: master, password: Array(pass.utf8))
        } else if let clientPassword, !clientPassword.isEmpty {
            self.init(authorizationIdentity: "", authenticationIdentity: target.user, password: clientPassword)
        } else {
            return nil
        }
    }

    /// `authzid NUL authcid NUL passwd`.
    public var plainMessage: [UInt8] {
        Array(authorizationIdentity.utf8) + [0] + Array(authenticationIdentity.utf8) + [0] + password
    }

    /// The password the client proved it knows, for logging in to the backend as it: the third part of a PLAIN
    /// message, the last LOGIN response, or, after SCRAM (which never shows it), the stored password when the
    /// passwd-file keeps it in clear (`{PLAIN}`/`{CLEARTEXT}`).
    public static func clientPassword(mechanism: String, lastMessage: [UInt8]?, storedPassword: String) -> [UInt8]? {
        switch mechanism {
        case "PLAIN":
            guard let lastMessage else { return nil }
            let parts = lastMessage.split(separator: 0, omittingEmptySubsequences: false)
            return parts.count == 3 ? Array(parts[2]) : nil
        case "LOGIN":
            return lastMessage
        default:
            for prefix in ["{PLAIN}", "{CLEARTEXT}"] where storedPassword.uppercased().hasPrefix(prefix) {
                return Array(storedPassword.utf8.dropFirst(prefix.utf8.count))
            }
            return nil
        }
    }
}

/// A login to relay, as the session hands it to the connection.
public struct ProxyRequest: Equatable, Sendable {
    /// The user as logged in at the front.
    public var user: String
    public var target: ProxyTarget
    public var credentials: ProxyCredentials
    /// Hops left after this one, sent to a backend that offers XCLIENT (one of ours, or Dovecot's).
    public var ttl: Int

    public init(user: String, target: ProxyTarget, credentials: ProxyCredentials, ttl: Int = 4) {
        self.user = user
        self.target = target
        self.credentials = credentials
        self.ttl = ttl
    }
}

/// Why a relay could not start. The client sees only `clientText` (with TRYLATER): the details, which may
/// name internal hosts or repeat a backend's own words, go to the log.
public enum ProxyFailure: Error, Equatable, Sendable, CustomStringConvertible {
    /// No way to reach backends in this process (no `ProxySupport`), or TLS requested without a TLS client.
    case unavailable(String)
    /// The host is neither numeric nor in /etc/hosts.
    case unresolvable(String)
    /// The TCP connection failed (refused, unreachable…).
    case connectFailed(String)
    /// A step took longer than proxy_timeout.
    case timeout(step: String)
    /// The TLS handshake with the backend failed (certificate, protocol).
    case tlsFailed(String)
    /// The backend's answer was not ManageSieve as expected.
    case badResponse(String)
    /// The backend closed the connection.
    case closed(step: String)
    /// The backend does not offer STARTTLS though the passwd-file asks for it.
    case startTLSUnavailable
    /// The backend refused the login (its text is logged, not shown).
    case loginRefused(String)
    /// The process could not take the unprivileged relay identity (proxy_user).
    case privileges(String)
    /// The backend is this server itself (its own address and port).
    case loop(String)

    public var description: String {
        switch self {
        case .unavailable(let why): "proxying unavailable: \(why)"
        case .unresolvable(let why): why
        case .connectFailed(let why): "connect failed: \(why)"
        case .timeout(let step): "timed out \(step)"
        case .tlsFailed(let why): "TLS with the backend failed: \(why)"
        case .badResponse(let why): "unexpected backend response: \(why)"
        case .closed(let step): "backend closed the connection \(step)"
        case .startTLSUnavailable: "backend does not offer STARTTLS"
        case .loginRefused(let text): "backend refused the login: \(text)"
        case .privileges(let why): "cannot relay: \(why)"
        case .loop(let why): "proxy loop: \(why)"
        }
    }

    /// The short reason the client is given.
    public var clientText: String {
        switch self {
        case .loginRefused: Texts.backendRefusedLogin
        case .timeout: Texts.backendTimeout
        case .loop: Texts.proxyLoop
        case .unavailable, .unresolvable, .connectFailed, .tlsFailed, .badResponse, .closed, .startTLSUnavailable,
            .privileges:
            Texts.backendUnavailable
        }
    }
}
