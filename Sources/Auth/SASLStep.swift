/// What a SASL mechanism wants next. Bytes are decoded: the session does the base64.
public enum SASLStep: Equatable, Sendable {
    /// Send this challenge and pass the client's answer to `SASLServer.step`.
    case challenge([UInt8])
    /// The user is authenticated. `serverFinal`, when present, goes in `OK (SASL "…")` (RFC 5804 §2.1).
    case success(PasswdEntry, serverFinal: [UInt8]?)
    /// The exchange failed; the session answers NO (after the failure delay).
    case failure(SASLFailure)
}

/// Why a SASL exchange failed. The client gets the same answer for a wrong password, an unknown user and an
/// unusable stored password; the cases differ only for the log.
public enum SASLFailure: Error, Equatable, Sendable {
    /// The client's message does not follow the mechanism's syntax (what is wrong, for the log only).
    case malformed(String)
    /// A wrong password or proof (the authentication identity, when one was given, for the log).
    case credentialsRejected(user: String?)
    /// No such user in the passwd-file.
    case unknownUser(String)
    /// The user's password field cannot verify any password (unknown scheme, malformed data).
    case unusablePassword(user: String, StoredPassword.Problem)
    /// The credentials were right, but the client asked to act as this other identity.
    case authorizationRefused(String)
    /// The mechanism is not offered, or `step` was called when no exchange is running.
    case unsupportedMechanism
    /// The password check could not decide (a checkpassword program failed): NO (TRYLATER).
    case temporaryFailure(user: String, String)
    /// A bearer token (OAUTHBEARER, XOAUTH2) was refused, and why.
    case tokenRejected(TokenRejection)
    /// The client asked for a channel binding this connection does not offer. `scramError` is RFC 5802's
    /// server-error-value for it (`unsupported-channel-binding-type`, `channel-binding-not-supported`), sent
    /// back as the server-final-message; `detail` is for the log. A negotiation, not a password guess.
    case channelBindingNotOffered(scramError: String, detail: String)
}

/// What SCRAM shows for a user without stored credentials of the hash asked for (an unknown user, a crypt
/// hash, a cleartext password): a salt and an iteration count that look like a real entry's, the same on
/// every connection.
public struct SCRAMDefaults: Sendable {
    /// Key of the HMAC that makes such a user's salt from their name. It must outlive the process (every
    /// connection is a new process) and stay secret: see `auth_scram_secret_file` in managesieved.conf(5).
    public var saltKey: [UInt8]
    /// The iteration count shown for each hash: the one the passwd-file's real entries of that hash use.
    public var iterations: [SCRAMHash: Int]

    public init(saltKey: [UInt8], iterations: [SCRAMHash: Int] = [:]) {
        self.saltKey = saltKey
        self.iterations = iterations
    }

    /// A key drawn once per process (salts stable within one connection only), for tests and for a server
    /// whose secret file cannot be read or made.
    public static let perProcess = SCRAMDefaults(saltKey: CryptoSupport.randomBytes(32))

    /// The salt shown for `user` under `hash`.
    func salt(user: String, hash: SCRAMHash) -> [UInt8] {
        Array(
            SCRAMHash.sha256.hmac(key: saltKey, Array("\(hash.rawValue)\0\(user)".utf8)).prefix(
                SCRAMCredentials.saltLength))
    }

    /// The iteration count shown for users without stored credentials of `hash`.
    func iterations(for hash: SCRAMHash) -> Int { iterations[hash] ?? SCRAMCredentials.defaultIterations }

    /// A fresh random secret for `auth_scram_secret_file`.
    public static func makeSecret() -> [UInt8] { CryptoSupport.randomBytes(32) }
}

/// What the session knows about the connection that mechanisms may need. Today only the TLS flag matters;
/// SCRAM-*-PLUS will read its channel-binding data from here, EXTERNAL the verified certificate identity.
public struct SASLContext: Sendable {
    /// TLS is active on the connection.
    public var tlsActive: Bool
    /// Channel-binding data by type name (`tls-exporter`, `tls-server-end-point`), when TLS provides it.
    public var channelBindings: [String: [UInt8]]
    /// The identity from a verified client certificate (for EXTERNAL).
    public var certificateUser: String?

    public init(tlsActive: Bool = false, channelBindings: [String: [UInt8]] = [:], certificateUser: String? = nil) {
        self.tlsActive = tlsActive
        self.channelBindings = channelBindings
        self.certificateUser = certificateUser
    }
}
