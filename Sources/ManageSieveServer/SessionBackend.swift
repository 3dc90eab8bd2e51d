import Auth
import SieveStorage

/// Why a user whose credentials were right may still not log in.
public enum LoginRefusal: Error, Equatable, Sendable {
    /// uid/gid 0, or outside first_valid_uid…last_valid_uid.
    case uidNotAllowed(uid: UInt32, gid: UInt32)
    /// A supplementary group (`groups=`) of 0 or outside first_valid_gid…last_valid_gid.
    case groupNotAllowed(gid: UInt32)
    /// Not running as root and the user is not the process's own uid.
    case notOwnUser(uid: UInt32)
    /// After UNAUTHENTICATE only the same user may log in again (privileges are gone for good).
    case differentUserAfterUnauthenticate(previous: String)
    /// The account is disabled (`nologin` extra field), with the reason to show.
    case disabled(reason: String?)
    /// The storage could not be opened.
    case storageUnavailable(String)
    /// The user is to be proxied but the passwd-file's proxy fields are unusable.
    case proxyMisconfigured(String)
}

/// A logged-in user's world.
public struct UserContext {
    public var user: String
    public var store: any ScriptStore
    /// This user's script size limit (may be lowered per user by an extra field).
    public var maxScriptSize: Int

    public init(user: String, store: any ScriptStore, maxScriptSize: Int) {
        self.user = user
        self.store = store
        self.maxScriptSize = maxScriptSize
    }
}

/// Where a verified user is served.
public enum LoginOutcome {
    /// Here: privileges are dropped and the user's store is open.
    case local(UserContext)
    /// Elsewhere, and the client is told where (RFC 5804 §1.3 REFERRAL, e.g. `sieve://host:4190`).
    case referral(String)
    /// Elsewhere, through this server: log in to that backend and relay the connection (the `proxy` field).
    case proxy(ProxyTarget)
}

/// What the session needs from the outside world to log users in. The real one checks the
/// passwd-file, drops privileges and opens the file store; tests use an in-memory one.
public protocol SessionBackend: AnyObject {
    /// Looks a user up (the passwd-file is read on first use, while still privileged).
    func lookupUser(_ name: String) -> PasswdEntry?
    /// Called once credentials are verified: enforce the uid policy, drop privileges, open the store.
    func beginUserSession(_ entry: PasswdEntry) -> Result<LoginOutcome, LoginRefusal>
    /// The SASL mechanisms that can succeed on a connection like this one (before plaintext policy).
    func availableMechanisms(context: SASLContext) -> [String]
    /// Validates OAUTHBEARER/XOAUTH2 tokens; nil when OAuth is not configured.
    func bearerTokenChecker() -> BearerTokenChecker?
    /// What SCRAM shows for users without stored credentials (salt key, iteration counts); asked for at every
    /// SCRAM exchange, so it must be cheap after the first call.
    func scramDefaults() -> SCRAMDefaults
    /// A checkpassword program for PLAIN/LOGIN; nil when none is configured.
    func externalPasswordCheck() -> ExternalPasswordCheck?
}

extension SessionBackend {
    public func availableMechanisms(context: SASLContext) -> [String] { SASLServer.plaintextMechanisms }
    public func bearerTokenChecker() -> BearerTokenChecker? { nil }
    public func scramDefaults() -> SCRAMDefaults { .perProcess }
    public func externalPasswordCheck() -> ExternalPasswordCheck? { nil }
}
