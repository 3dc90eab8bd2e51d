import Auth
import JOSE
import Posix
import SieveStorage

/// Logs users in from a Dovecot-style passwd-file and serves their scripts from the file store.
public final class LocalBackend: SessionBackend {
    /// Who may log in and where their scripts live.
    public struct Policy: Sendable {
        /// `first_valid_uid`.
        public var firstValidUID: UInt32 = 500
        /// `last_valid_uid`; 0 = no upper bound.
        public var lastValidUID: UInt32 = 0
        /// `first_valid_gid`: applies to the primary group and to every `groups=` entry; 0 is refused anyway.
        public var firstValidGID: UInt32 = 1
        /// `last_valid_gid`; 0 = no upper bound.
        public var lastValidGID: UInt32 = 0
        /// `managesieve_max_memory` in bytes (RLIMIT_AS after the drop); 0 = none.
        public var maxMemoryBytes: UInt64 = 0
        /// `managesieve_max_cpu` in seconds (RLIMIT_CPU after the drop); 0 = none.
        public var maxCPUSeconds: UInt64 = 0
        /// `sieve_storage` before expansion.
        public var storageTemplate: String = "~/sieve"
        /// `sieve` (the active-script link) before expansion.
        public var activeLinkTemplate: String = "~/.dovecot.sieve"
        /// `sieve_lock_timeout` in milliseconds.
        public var lockTimeoutMilliseconds: Int = 10_000
        /// `sieve_history_max_versions` and `sieve_history_max_size`.
        public var history: HistoryLimits = .off
        public init() {}
    }

    /// Per-user limits: the global ones, possibly overridden by the passwd-file's extra fields.
    public typealias LimitsForUser = @Sendable (PasswdEntry) -> (quota: QuotaLimits, maxScriptSize: Int)
    /// Expands `~`, `%u`, `%n`, `%d`, `%h` in a path template.
    public typealias PathExpander = @Sendable (_ template: String, _ user: String, _ home: String) -> String

    let passwdPath: String
    let policy: Policy
    let limits: LimitsForUser
    let expand: PathExpander
    let logger: Logger
    var passwd: PasswdDatabase?
    /// `passwdGreetingFacts()` once asked.
    var greetingFacts: PasswdGreetingFacts?
    /// Called with each verified user first thing in `beginUserSession`, while the process is still
    /// privileged (the transcript renames its file there, in a directory only root may write).
    public var onUserVerified: ((PasswdEntry) -> Void)?
    /// A checkpassword program for PLAIN/LOGIN (`checkpassword`), nil when none is configured.
    public var checkpassword: CheckpasswordConfiguration?
    /// OAUTHBEARER/XOAUTH2 validation; nil when `oauth2_jwks_file` is not set.
    public var oauth: OAuthConfiguration?
    /// The key set, read on the first bearer login (still privileged) and kept for this connection.
    var keySet: Result<JWKSet, TokenRejection>?
    /// The uid the process runs as after the (one, final) privilege drop.
    var sessionUID: UInt32?
    /// This server's own address and port as the client reached it (the local address of fd 0, or socat's
    /// SOCAT_SOCKADDR/SOCAT_SOCKPORT); `proxy_maybe` serves a user here when `host=`/`port=` name it.
    public var localEndpoint: (host: String, port: UInt16)?
    /// `auth_scram_secret_file`: the key of unknown users' SCRAM salts (read, or made, while still root).
    public var scramSecretPath: String?
    private var cachedSCRAMDefaults: SCRAMDefaults?

    public init(
        passwdPath: String, policy: Policy, limits: @escaping LimitsForUser, expand: @escaping PathExpander,
        logger: Logger
    ) {
        self.passwdPath = passwdPath
        self.policy = policy
        self.limits = limits
        self.expand = expand
        self.logger = logger
    }

    public func lookupUser(_ name: String) -> PasswdEntry? {
        let database = loadedPasswd()
        let (entry, problems) = database.lookup(name)
        logNotes(database)
        for problem in problems {
            logger.log(.warning, "\(passwdPath):\(problem.line): \(problem.message); line ignored")
        }
        return entry
    }

    public func availableMechanisms(context: SASLContext) -> [String] {
        // Matched, not compared with nil: `!=` takes the optional by value, and the compiler copied the whole
        // configuration through its runtime type metadata, whose first use costs more than the greeting's work.
        var oauthConfigured = false
        if case .some = oauth { oauthConfigured = true }
        let mechanisms = SASLServer.availableMechanisms(
            for: passwdGreetingFacts(), context: context, oauth: oauthConfigured,
            checkpasswordForAll: checkpassword?.forAllUsers ?? false)
        // The secret is read now, while the process is certainly root (a SCRAM login after UNAUTHENTICATE
        // comes after the privilege drop).
        if mechanisms.contains(where: SASLServer.isSCRAM) { _ = scramDefaults() }
        return mechanisms
    }

    public func scramDefaults() -> SCRAMDefaults {
        if let cachedSCRAMDefaults { return cachedSCRAMDefaults }
        var key: [UInt8]? = nil
        if let path = scramSecretPath {
            do {
                key = try SecretFile.loadOrCreate(path: path, minimumLength: 16, makeContent: SCRAMDefaults.makeSecret)
            } catch {
                logger.log(
                    .error,
                    "auth_scram_secret_file \(path): \(error); unknown users' SCRAM salts change with every connection")
            }
        }
        let defaults = SASLServer.scramDefaults(for: loadedPasswd(), saltKey: key ?? SCRAMDefaults.perProcess.saltKey)
        cachedSCRAMDefaults = defaults
        return defaults
    }

    public func externalPasswordCheck() -> ExternalPasswordCheck? {
        guard let configuration = checkpassword else { return nil }
        return ExternalPasswordCheck(forAllUsers: configuration.forAllUsers) { user, password, known in
            let outcome = Checkpassword.run(
                program: configuration.program, reply: configuration.reply, user: user, password: password,
                environment: ["SERVICE": "sieve"], timeoutMilliseconds: configuration.timeoutMilliseconds,
                logger: self.logger)
            switch outcome {
            case .rejected:
                return .rejected
            case .temporaryFailure(let why):
                return .temporaryFailure(why)
            case .accepted(let environment):
                return Self.entry(user: user, from: environment, known: known)
            }
        }
    }

    /// The user's entry from what the checkpassword program handed its reply program (Dovecot's names:
    /// `userdb_uid`, `userdb_gid`, `userdb_home` or `HOME`, other `userdb_*` as extra fields), completed by
    /// the passwd-file entry of that name. No uid or gid from either: the login cannot be served.
    static func entry(user: String, from environment: [String: String], known: PasswdEntry?) -> ExternalPasswordVerdict
    {
        let uid = environment["userdb_uid"].flatMap { UInt32($0) } ?? known?.uid
        let gid = environment["userdb_gid"].flatMap { UInt32($0) } ?? known?.gid
        guard let uid, let gid else {
            return .temporaryFailure(
                "checkpassword accepted \(user) but gave no userdb_uid/userdb_gid, and the passwd-file has no entry")
        }
        var entry = known ?? PasswdEntry(user: user, password: "*", uid: uid, gid: gid)
        entry.uid = uid
        entry.gid = gid
        if let home = environment["userdb_home"] ?? environment["HOME"] { entry.home = home }
        for (key, value) in environment where key.hasPrefix("userdb_") {
            let name = String(key.dropFirst("userdb_".count))
            if !["uid", "gid", "home"].contains(name) { entry.extraFields[name] = value }
        }
        return .accepted(entry)
    }
    /// What the passwd-file says for the greeting and every mechanism list, asked once and kept.
    public func passwdGreetingFacts() -> PasswdGreetingFacts {
        if let greetingFacts { return greetingFacts }
        let facts = loadedPasswd().greetingFacts
        greetingFacts = facts
        return facts
    }

    /// Whether the passwd-file answered the greeting without parsing a line (no SCRAM or cleartext scheme
    /// marker in it, or the index's header said so): the server's connect line reports it.
    public var passwdGreetingNeedsNoParsing: Bool { !loadedPasswd().mayServeSCRAM }

    public func bearerTokenChecker() -> BearerTokenChecker? {
        guard let oauth else { return nil }
        return BearerTokenChecker(scope: oauth.policy.requiredScopes.joined(separator: " ")) { token in
            let keys: JWKSet
            switch self.loadedKeySet(oauth.jwksPath) {
            case .success(let set): keys = set
            case .failure(let rejection): return .failure(rejection)
            }
            return BearerTokenValidator.validate(
                token: token, keys: keys, policy: oauth.policy, now: Double(Clock.wallClockMilliseconds()) / 1000)
        }
    }

    func loadedKeySet(_ path: String) -> Result<JWKSet, TokenRejection> {
        if let keySet { return keySet }
        let loaded: Result<JWKSet, TokenRejection>
        do {
            loaded = .success(try JWKSet(parsing: FileRead.readFile(path: path, maxSize: JWKSet.maxSize)))
        } catch let error as JWKSetError {
            loaded = .failure(.keySetUnavailable("\(path): \(error)"))
        } catch {
            loaded = .failure(.keySetUnavailable("cannot read \(path): \(error)"))
        }
        if case .failure(let rejection) = loaded { logger.log(.error, "oauth2_jwks_file: \(rejection)") }
        keySet = loaded
        return loaded
    }

    /// The passwd-file, opened on first use (while the process is still privileged) and kept.
    func loadedPasswd() -> PasswdDatabase {
        if let passwd { return passwd }
        let database = PasswdDatabase(path: passwdPath)
        if let error = database.loadError {
            logger.log(.error, "cannot read passwd_file \(passwdPath): \(error)")
        }
        logNotes(database)
        passwd = database
        return database
    }

    private func logNotes(_ database: PasswdDatabase) {
        for note in database.takeNotes() { logger.log(note.level, note.message) }
    }

    public func beginUserSession(_ entry: PasswdEntry) -> Result<LoginOutcome, LoginRefusal> {
        onUserVerified?(entry)
        if entry.flags.contains("nologin") {
            return .failure(.disabled(reason: entry.extraFields["reason"]))
        }
        // Dovecot's `proxy` / `proxy_maybe`: relay to the user's backend (no local uid policy applies).
        if entry.flags.contains("proxy") || (entry.flags.contains("proxy_maybe") && !isThisServer(entry)) {
            do {
                return .success(.proxy(try ProxyTarget(entry: entry)))
            } catch {
                return .failure(.proxyMisconfigured(error.description))
            }
        }
        if let refusal = policy.refusal(for: entry) { return .failure(refusal) }
        // Dovecot's passdb fields: `host=` with `referral=yes` (and no `proxy`) sends the client elsewhere.
        if let host = entry.extraFields["host"], entry.extraFields["referral"] == "yes",
            !entry.flags.contains("proxy"), !entry.flags.contains("proxy_maybe")
        {
            let port = entry.extraFields["port"].map { ":\($0)" } ?? ""
            let shownHost = host.contains(":") ? "[\(host)]" : host
            return .success(.referral("sieve://\(shownHost)\(port)"))
        }
        if let sessionUID {
            // Privileges are gone for good: only the same uid can be served again.
            guard sessionUID == entry.uid else { return .failure(.notOwnUser(uid: entry.uid)) }
        } else if Privileges.isRoot {
            Privileges.dropPermanently(
                uid: entry.uid, gid: entry.gid, supplementaryGroups: entry.supplementaryGroups, logger: logger)
            sessionUID = entry.uid
            limitSession()
            // Root read the whole file; the user keeps only their own line (UNAUTHENTICATE can only log them in again).
            passwd?.keepOnly(entry.user)
        } else {
            guard Privileges.effectiveUID == entry.uid else { return .failure(.notOwnUser(uid: entry.uid)) }
            sessionUID = entry.uid
            limitSession()
        }
        let userLimits = limits(entry)
        return policy.openStore(for: entry, quota: userLimits.quota, expand: expand).map { store in
            store.historyProblem = { [logger] problem in logger.log(.warning, "history: \(problem)") }
            return .local(UserContext(user: entry.user, store: store, maxScriptSize: userLimits.maxScriptSize))
        }
    }

    /// From here on, whatever the user's scripts make the process do ends this session, never the host.
    func limitSession() {
        let problems = ProcessHardening.limitSession(
            addressSpaceBytes: policy.maxMemoryBytes, cpuSeconds: policy.maxCPUSeconds, logger: logger)
        for problem in problems { logger.log(.error, "cannot set a resource limit: \(problem)") }
    }

    /// `proxy_maybe`: the entry's `host=` (port `port=`, default 4190) is this server when the port is the one the
    /// client reached and the host is that local address or a loopback name (127.0.0.1, ::1, localhost). With no
    /// `host=` the user is served here; with no known local endpoint (pipes) every other host is remote.
    func isThisServer(_ entry: PasswdEntry) -> Bool {
        guard let host = entry.extraFields["host"], !host.isEmpty else { return true }
        guard let local = localEndpoint else { return false }
        let port = entry.extraFields["port"].flatMap { UInt16($0) } ?? 4190
        guard port == local.port else { return false }
        var bare = host.lowercased()
        if bare.hasPrefix("[") && bare.hasSuffix("]") { bare = String(bare.dropFirst().dropLast()) }
        return bare == local.host.lowercased() || ["127.0.0.1", "::1", "localhost"].contains(bare)
    }
}
