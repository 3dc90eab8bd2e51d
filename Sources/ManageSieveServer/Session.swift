import Auth
import ManageSieveProtocol
import Posix
import SieveCompiler
import SieveStorage

/// The ManageSieve session state machine (RFC 5804). It takes parsed events and returns effects;
/// the `Connection` performs them. All storage and login I/O goes through `SessionBackend` and
/// `ScriptStore`, so tests drive it with in-memory implementations.
public struct Session {
    /// Where the session is in RFC 5804's state diagram.
    enum State {
        /// Before a successful AUTHENTICATE (or after UNAUTHENTICATE).
        case nonAuthenticated
        /// An AUTHENTICATE exchange is waiting for the client's next response.
        case authenticating(SASLServer, mechanism: String)
        /// Logged in: script commands are served.
        case authenticated(UserContext)
        /// LOGOUT was answered or the session was ended: nothing more is served.
        case closed
    }

    let settings: ServerSettings
    let backend: any SessionBackend
    var state: State = .nonAuthenticated
    /// TLS is active on the transport.
    public var tlsActive: Bool { saslContext.tlsActive }
    /// What SASL mechanisms may use of the connection (TLS, channel bindings, client certificate).
    var saslContext = SASLContext()
    var failedLogins = 0
    var badCommands = 0
    /// Commands served so far (for the summary line and `maxCommands`).
    public private(set) var commandCount = 0
    /// Commands received while not logged in (bounded by `ServerSettings.maxCommandsBeforeLogin`).
    var commandsBeforeLogin = 0
    /// The user who was logged in before UNAUTHENTICATE: only they may log in again.
    var previousUser: String?
    /// The last decoded SASL message of the current exchange: a proxied login reuses the password in it.
    var lastSASLInput: [UInt8]?
    /// A login handed to the connection for relaying (Session+Proxy.swift).
    var pendingRelay: PendingRelay?
    /// Proxy hops left for a login of this session: `ServerSettings.proxyTTL`, or what a trusted proxy in
    /// front sent with XCLIENT.
    var proxyTTL: Int

    public init(settings: ServerSettings, backend: any SessionBackend) {
        self.settings = settings
        self.backend = backend
        proxyTTL = settings.proxyTTL
    }

    /// The logged-in user, if any.
    public var user: String? {
        if case .authenticated(let context) = state { return context.user }
        return nil
    }

    public var isAuthenticated: Bool { user != nil }

    public var isClosed: Bool {
        if case .closed = state { return true }
        return false
    }

    /// The log line for an exchange the client left unfinished (it disconnected or timed out in the middle):
    /// a failed attempt, like a cancel.
    public var unfinishedAuthentication: String? {
        guard case .authenticating(_, let mechanism) = state else { return nil }
        return "login failed: "
            + Self.loginFailure(.cancelled, user: nil, mechanism: mechanism, detail: "abandoned by client")
    }

    /// RFC 5804 §1.7: the server speaks first with its capabilities. The closing OK is bare: its text would
    /// add nothing, and Cyrus sieveshell (3.6) accepts only a bare OK there (`OK "text"` makes it stop with
    /// "Bad protocol from MANAGESIEVE server: EOL2" before logging in).
    public mutating func greeting() -> [Effect] {
        [.send(.capabilities(greetingCapabilities())), .send(.response(.ok))]
    }

    /// The capability block `greeting()` sends before its OK.
    public func greetingCapabilities() -> [Capability] { capabilities() }

    /// What this session's capabilities say before login, for `Greeting.bytes` (the greeting the Connection
    /// writes) and for `capabilities()`: one place decides every value of both.
    public func greetingFacts() -> GreetingFacts {
        let extensions = settings.compileOptions.extensions
        return GreetingFacts(
            implementation: settings.implementationString, sieve: extensions.capabilityString,
            notify: extensions.notifyCapability,
            // Only asked before login: after it the passwd-file may be gone (the privilege drop keeps one entry).
            sasl: user == nil ? Self.spaceSeparated(saslMechanisms()) : "",
            startTLS: settings.tlsAvailable && !tlsActive, maxRedirects: settings.compileOptions.maxRedirects,
            xclient: settings.xclientTrusted && user == nil)
    }

    /// The TLS handshake succeeded: RFC 5804 §2.2 says the server re-sends its capabilities.
    public mutating func tlsStarted(_ info: TLSInfo = TLSInfo()) -> [Effect] {
        startedWithTLS(info)
        return [.send(.capabilities(capabilities())), .send(.response(.ok))]
    }

    /// TLS runs from the connection's first byte (implicit TLS): the greeting comes inside it.
    public mutating func startedWithTLS(_ info: TLSInfo) {
        saslContext = SASLContext(
            tlsActive: true, channelBindings: info.channelBindings, certificateUser: info.certificateUser)
    }

    /// RFC 5804 §1.7 capability block for the current state.
    func capabilities() -> [Capability] {
        let facts = greetingFacts()
        var caps: [Capability] = [Capability("IMPLEMENTATION", facts.implementation), Capability("SIEVE", facts.sieve)]
        if let notify = facts.notify {
            caps.append(Capability("NOTIFY", notify))
        }
        if let user {
            caps.append(Capability("OWNER", user))
        } else {
            caps.append(Capability("SASL", facts.sasl))
            if facts.startTLS {
                caps.append(Capability("STARTTLS"))
            }
            if facts.xclient {
                caps.append(Capability("XCLIENT"))
            }
        }
        caps.append(Capability("MAXREDIRECTS", String(facts.maxRedirects)))
        if isAuthenticated {
            caps.append(Capability("UNAUTHENTICATE"))
        }
        caps.append(Capability("VERSION", "1.0"))
        return caps
    }

    /// `words` joined by single spaces. A loop, not `joined(separator:)`: this runs before every greeting, and
    /// the first use of the generic `joined` costs more start-up (type metadata) than the whole loop.
    static func spaceSeparated(_ words: [String]) -> String {
        var result = ""
        for word in words {
            if !result.isEmpty { result += " " }
            result += word
        }
        return result
    }

    /// The mechanisms offered now: those that can succeed, limited to `auth_mechanisms` and in its order, and
    /// before TLS with `disable_plaintext_auth` none that shows the password (see `withheldBeforeTLS`).
    /// The list's order is kept as Dovecot keeps it: clients that take the first advertised mechanism
    /// (Net::ManageSieve) then use the one the admin put first, e.g. PLAIN next to users without SCRAM.
    func saslMechanisms() -> [String] {
        if settings.tlsRequired && !tlsActive { return [] }
        var mechanisms = backend.availableMechanisms(context: saslContext)
        if let allowed = settings.authMechanisms {
            let available = mechanisms
            mechanisms = allowed.filter { available.contains($0) }
        }
        if withholdsPasswordMechanisms {
            mechanisms = SASLServer.offeredBeforeTLS(mechanisms, allowSCRAM: allowsSCRAMBeforeTLS)
        }
        return mechanisms
    }

    /// Mechanisms that send a reusable credential in the clear (a password or a bearer token).
    static func needsTLS(_ mechanism: String) -> Bool {
        SASLServer.plaintextMechanisms.contains(mechanism) || SASLServer.bearerMechanisms.contains(mechanism)
    }

    /// `disable_plaintext_auth` applies: no TLS yet.
    var withholdsPasswordMechanisms: Bool { settings.disablePlaintextAuth && !tlsActive }

    /// SCRAM before TLS: when the admin allows it, or when there is no STARTTLS an attacker could strip.
    var allowsSCRAMBeforeTLS: Bool { settings.allowSCRAMBeforeTLS || !settings.tlsAvailable }

    // MARK: - Events

    /// Handles one event from the parser.
    public mutating func handle(_ event: ParseEvent) -> [Effect] {
        if case .closed = state { return [] }
        switch event {
        case .command(let command):
            commandCount += 1
            if settings.maxCommands > 0 && commandCount > settings.maxCommands {
                return bye(Texts.tooManyCommands, log: "too many commands (\(settings.maxCommands))")
            }
            if !isAuthenticated {
                commandsBeforeLogin += 1
                if commandsBeforeLogin > ServerSettings.maxCommandsBeforeLogin {
                    return bye(
                        Texts.tooManyCommands,
                        log: "too many commands before login (\(ServerSettings.maxCommandsBeforeLogin))")
                }
            }
            return handle(command)
        case .saslResponse(let data):
            return continueAuthentication(with: data)
        case .saslCancel:
            guard case .authenticating(let sasl, let mechanism) = state else {
                return refuseBadCommand(.badSASLResponse)
            }
            if let failure = sasl.pendingFailure {
                // The error challenge already said the login failed; cancelling it is that failure.
                return failLogin(reason: Self.loginFailure(failure, mechanism: mechanism))
            }
            // A cancel is a failed attempt like any other: otherwise a client could probe SCRAM salts or the
            // first steps of an exchange for free, as often as it likes.
            let reason = Self.loginFailure(.cancelled, user: nil, mechanism: mechanism)
            return failLogin(reason: reason, text: Texts.authenticationAborted)
        case .invalid(let error, let command):
            if case .authenticating(_, let mechanism) = state {
                return failLogin(
                    reason: Self.loginFailure(
                        .malformed, user: nil, mechanism: mechanism, detail: "malformed SASL response"))
            }
            return refuseBadCommand(error, command: command)
        case .fatal(let error):
            return bye(Texts.protocolError(error), log: "protocol error: \(Texts.protocolError(error))")
        }
    }

    mutating func refuseBadCommand(_ error: ProtocolError, command: String? = nil) -> [Effect] {
        let text = Texts.protocolError(error)
        switch error {
        case .literalTooLarge(_, _, let limit):
            return [.send(.response(Response(.no, code: .quotaMaxSize, Texts.quota(.maxSize, limit: UInt64(limit)))))]
        default:
            break
        }
        if !isAuthenticated {
            badCommands += 1
            if badCommands >= settings.maxBadCommands {
                return [.send(.response(Response(.no, text)))]
                    + bye(Texts.tooManyBadCommands, log: "too many invalid commands before login")
            }
        }
        return [.log(.debug, "invalid command: \(text)"), .send(.response(Response(.no, text)))]
    }

    mutating func bye(_ text: String, log: String) -> [Effect] {
        state = .closed
        return [.log(.info, log), .send(.response(Response(.bye, text))), .close(reason: log)]
    }

    mutating func handle(_ command: Command) -> [Effect] {
        // Commands allowed in every state.
        switch command {
        case .capability:
            return [.send(.capabilities(capabilities())), .send(.response(.ok))]
        case .noop(let tag):
            if let tag { return [.send(.response(Response(.ok, code: .tag(tag))))] }
            return [.send(.response(.ok))]
        case .logout:
            state = .closed
            return [.send(.response(.ok)), .close(reason: "logout")]
        case .startTLS:
            return startTLS()
        case .xclient(let fields):
            return xclient(fields)
        default:
            break
        }
        if settings.tlsRequired && !tlsActive {
            return [.send(.response(Response(.no, code: .encryptNeeded, Texts.tlsRequired)))]
        }
        switch state {
        case .nonAuthenticated:
            if case .authenticate(let mechanism, let initial) = command {
                return authenticate(mechanism: mechanism, initialResponse: initial)
            }
            return [.send(.response(Response(.no, Texts.authenticateFirst)))]
        case .authenticating:
            // The parser only yields SASL events in this state; a command here is a client bug.
            state = .nonAuthenticated
            return [.send(.response(Response(.no, Texts.authenticationAborted)))]
        case .authenticated(let context):
            return handleAuthenticated(command, context: context)
        case .closed:
            return []
        }
    }

    mutating func startTLS() -> [Effect] {
        guard settings.tlsAvailable else { return [.send(.response(Response(.no, Texts.tlsUnavailable)))] }
        guard !tlsActive else { return [.send(.response(Response(.no, Texts.tlsAlreadyActive)))] }
        guard !isAuthenticated else { return [.send(.response(Response(.no, Texts.tlsAfterLogin)))] }
        return [.send(.response(Response(.ok, Texts.beginTLS))), .startTLS]
    }

    // MARK: - Authentication

    mutating func authenticate(mechanism: String, initialResponse: [UInt8]?) -> [Effect] {
        let upper = mechanism.uppercased()
        let offered = saslMechanisms()
        // Withheld for want of TLS: ENCRYPT-NEEDED tells the client that STARTTLS would help.
        let withheld = Self.needsTLS(upper) || (SASLServer.isSCRAM(upper) && !allowsSCRAMBeforeTLS)
        if !offered.contains(upper), withholdsPasswordMechanisms, withheld,
            settings.authMechanisms?.contains(upper) ?? true
        {
            return [.send(.response(Response(.no, code: .encryptNeeded, Texts.encryptionNeeded)))]
        }
        let backend = self.backend
        // Only SCRAM needs them; the others must not draw the per-process key, whose first use sets up OpenSSL
        // (its configuration file and provider tables: about 370 kB of private memory and a file read).
        let scramDefaults = SASLServer.isSCRAM(upper) ? backend.scramDefaults() : nil
        guard offered.contains(upper),
            var sasl = SASLServer(
                mechanism: upper, context: saslContext, scramDefaults: scramDefaults,
                lookup: { backend.lookupUser($0) }, bearer: backend.bearerTokenChecker(),
                passwordCheck: backend.externalPasswordCheck())
        else {
            return [.send(.response(Response(.no, Texts.unsupportedMechanism)))]
        }
        var effects: [Effect] = [.note(.saslBegin(mechanism: upper))]
        var decoded: [UInt8]? = nil
        if let initialResponse {
            guard let raw = Base64.decode(initialResponse) else {
                return effects
                    + failLogin(
                        reason: Self.loginFailure(
                            .malformed, user: nil, mechanism: upper, detail: "invalid base64 in initial response"),
                        text: Texts.invalidBase64)
            }
            decoded = raw
        }
        lastSASLInput = decoded
        let step = sasl.start(initialResponse: decoded)
        effects += advance(sasl, mechanism: upper, step: step)
        return effects
    }

    mutating func continueAuthentication(with response: [UInt8]) -> [Effect] {
        guard case .authenticating(var sasl, let mechanism) = state else {
            return refuseBadCommand(.badSASLResponse)
        }
        guard let raw = Base64.decode(response) else {
            return failLogin(
                reason: Self.loginFailure(
                    .malformed, user: nil, mechanism: mechanism, detail: "invalid base64 in SASL response"),
                text: Texts.invalidBase64)
        }
        lastSASLInput = raw
        let step = sasl.step(raw)
        return advance(sasl, mechanism: mechanism, step: step)
    }

    mutating func advance(_ sasl: SASLServer, mechanism: String, step: SASLStep) -> [Effect] {
        switch step {
        case .challenge(let data):
            state = .authenticating(sasl, mechanism: mechanism)
            return [.send(.saslChallenge(Base64.encode(data))), .expectSASLResponse]
        case .failure(.channelBindingNotOffered(let scramError, let detail)):
            // RFC 5802 §7: the server-final-message carries the error. Asking for a channel binding this
            // connection lacks tests no password (sievemgr asks for tls-unique first, then goes on without
            // channel binding): a negotiation, not counted as a failed login and not delayed.
            lastSASLInput = nil
            state = .nonAuthenticated
            return [
                .note(.saslEnd), .log(.info, "authentication (\(mechanism)) not possible, not counted: \(detail)"),
                .send(
                    .response(
                        Response(
                            .no, code: .sasl(Base64.encode(Array("e=\(scramError)".utf8))),
                            Texts.channelBindingNotOffered))),
            ]
        case .failure(let failure):
            lastSASLInput = nil
            if case .temporaryFailure = failure {
                return failLogin(
                    reason: Self.loginFailure(failure, mechanism: mechanism), text: Texts.temporaryAuthFailure,
                    code: .tryLater)
            }
            if SASLServer.isSCRAM(mechanism), Self.isFailedProof(failure) {
                // RFC 5804 TRANSITION-NEEDED: a client may go on with another mechanism (PLAIN over TLS), which
                // is the only way a user without SCRAM credentials can log in. Every failed SCRAM proof gets
                // it, so the answer does not tell users with SCRAM credentials from the others or from
                // unknown ones.
                return failLogin(reason: Self.loginFailure(failure, mechanism: mechanism), code: .transitionNeeded)
            }
            return failLogin(reason: Self.loginFailure(failure, mechanism: mechanism))
        case .success(let entry, let serverFinal):
            // The last client message may hold the password (PLAIN/LOGIN): only a relay needs it, once.
            let clientInput = lastSASLInput
            lastSASLInput = nil
            if let previousUser, previousUser != entry.user {
                return failLogin(
                    reason: Self.loginFailure(
                        .notAllowed, user: entry.user, mechanism: mechanism,
                        detail: "only \(previousUser) may log in again in this session"))
            }
            switch backend.beginUserSession(entry) {
            case .failure(let refusal):
                return failLogin(
                    reason: Self.loginFailure(
                        refusal, user: entry.user, mechanism: mechanism, detail: describe(refusal)),
                    refusal: refusal)
            case .success(.referral(let url)):
                // RFC 5804 §1.3: the credentials were right, but the user's scripts are elsewhere.
                state = .nonAuthenticated
                return [
                    .note(.saslEnd), .log(.info, "referral: user=\(entry.user) to \(url)"),
                    .send(.response(Response(.no, code: .referral(url), text: Array("Try \(url)".utf8)))),
                ]
            case .success(.proxy(let target)):
                return beginRelay(
                    entry: entry, target: target, mechanism: mechanism, clientInput: clientInput,
                    serverFinal: serverFinal)
            case .success(.local(let context)):
                state = .authenticated(context)
                failedLogins = 0
                var limits = settings.parserLimits
                limits.maxScriptSize = context.maxScriptSize
                let code: ResponseCode? = serverFinal.map { .sasl(Base64.encode($0)) }
                return [
                    .note(.saslEnd), .note(.login(user: context.user)),
                    .log(.info, "login: user=\(context.user) method=\(mechanism)\(tlsActive ? " tls" : "")"),
                    .setParserLimits(limits),
                    .send(.response(Response(.ok, code: code))),
                ]
            }
        }
    }

    mutating func failLogin(
        reason: String, text: String = Texts.authenticationFailed, refusal: LoginRefusal? = nil,
        code: ResponseCode? = nil
    )
        -> [Effect]
    {
        state = .nonAuthenticated
        failedLogins += 1
        var shown = text
        if case .disabled(let why?) = refusal { shown = why }
        var effects: [Effect] = [
            .note(.saslEnd), .log(.notice, "login failed: \(reason)"),
            .delay(milliseconds: settings.authFailureDelayMilliseconds),
            .send(.response(Response(.no, code: code, shown))),
        ]
        if failedLogins >= settings.authMaxAttempts {
            let line = Self.loginFailure(
                .tooManyAttempts, user: nil, mechanism: "-", detail: "\(failedLogins) failed logins")
            effects.append(.log(.notice, "login failed: " + line))
            effects += bye(Texts.tooManyFailedLogins, log: "too many failed logins (\(failedLogins))")
        }
        return effects
    }

    /// A proof that did not verify: wrong password, unknown user, or a stored password that cannot serve it.
    static func isFailedProof(_ failure: SASLFailure) -> Bool {
        switch failure {
        case .credentialsRejected, .unknownUser, .unusablePassword: true
        case .malformed, .authorizationRefused, .unsupportedMechanism, .channelBindingNotOffered, .tokenRejected,
            .temporaryFailure:
            false
        }
    }

    func describe(_ refusal: LoginRefusal) -> String { refusal.message }
}
