/// The server side of one SASL exchange (RFC 4422), as a state machine without I/O.
///
/// Usage: `init` with the client's mechanism name, `start` with its initial response (nil when none),
/// then `step` with each answer while the result is `.challenge`. A new mechanism (SCRAM, EXTERNAL) is a
/// new case of `State` plus its handler; the public surface stays the same.
public struct SASLServer {
    /// Mechanisms that send the password itself (refused before TLS when plaintext auth is disabled).
    public static let plaintextMechanisms = ["PLAIN", "LOGIN"]
    /// Every mechanism this type implements, in the order to advertise them (the strongest first: clients
    /// such as sievemgr and Thunderbird take the first one they know from the server's list or from their own
    /// preference order, and both put SCRAM-SHA-256-PLUS first).
    public static let supportedMechanisms = [
        "PLAIN", "LOGIN", "SCRAM-SHA-256-PLUS", "SCRAM-SHA-256", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-1", "EXTERNAL",
    ]

    /// The canonical (upper-case) mechanism name.
    public let mechanism: String
    let lookup: (String) -> PasswdEntry?
    let context: SASLContext
    var state: State
    /// Checks bearer tokens for OAUTHBEARER/XOAUTH2 (nil when OAuth is not configured).
    let bearerChecker: BearerTokenChecker?
    /// Salts and iteration counts for users without stored SCRAM credentials.
    /// nil for the other mechanisms: the per-process key is drawn (and OpenSSL set up) only if SCRAM runs.
    let scramDefaults: SCRAMDefaults?
    /// A checkpassword program for PLAIN/LOGIN (nil when none is configured).
    let passwordCheck: ExternalPasswordCheck?
    /// Tests fix the server nonce to replay RFC test vectors; nil draws a fresh one from the CSPRNG.
    var fixedServerNonce: [UInt8]? = nil
    /// The PBKDF2 runs of this exchange and their iteration counts (every SCRAM client-first costs exactly one,
    /// whoever the user is; tests check it).
    var pbkdf2Runs: [Int] = []

    enum State {
        /// PLAIN before `start`.
        case plainInitial
        /// PLAIN sent its empty challenge and waits for `authzid NUL authcid NUL passwd`.
        case plainAwaitingResponse
        /// LOGIN before `start`.
        case loginInitial
        /// LOGIN asked "Username:".
        case loginAwaitingUser
        /// LOGIN asked "Password:" for this user.
        case loginAwaitingPassword(user: String)
        /// SCRAM before `start` (RFC 5802): which hash, and whether the -PLUS variant was chosen.
        case scramInitial(SCRAMHash, plus: Bool)
        /// SCRAM sent the server-first-message and waits for the client-final-message.
        case scramAwaitingFinal(SCRAMExchange)
        /// EXTERNAL before `start` (RFC 4422 appendix A).
        case externalInitial
        /// EXTERNAL sent an empty challenge and waits for the authorization identity.
        case externalAwaitingResponse
        /// OAUTHBEARER or XOAUTH2 before the client's message.
        case bearerInitial(xoauth2: Bool)
        /// A bearer token was refused and the error challenge sent: the client's acknowledgement ends the
        /// exchange with this failure.
        case bearerAwaitingAcknowledgement(SASLFailure)
        /// Success or failure has been returned; nothing more is accepted.
        case finished
    }

    /// nil when `mechanism` (case-insensitive) is not one this server implements.
    public init?(mechanism: String, lookup: @escaping (String) -> PasswdEntry?) {
        self.init(mechanism: mechanism, context: SASLContext(), lookup: lookup)
    }

    /// Like `init(mechanism:lookup:)`, with what the connection knows (TLS, channel bindings), what SCRAM
    /// shows for users without stored credentials, and how bearer tokens are checked.
    public init?(
        mechanism: String, context: SASLContext, scramDefaults: SCRAMDefaults? = nil,
        lookup: @escaping (String) -> PasswdEntry?, bearer: BearerTokenChecker? = nil,
        passwordCheck: ExternalPasswordCheck? = nil
    ) {
        let name = mechanism.uppercased()
        switch name {
        case "PLAIN": state = .plainInitial
        case "LOGIN": state = .loginInitial
        case "SCRAM-SHA-1": state = .scramInitial(.sha1, plus: false)
        case "SCRAM-SHA-1-PLUS": state = .scramInitial(.sha1, plus: true)
        case "SCRAM-SHA-256": state = .scramInitial(.sha256, plus: false)
        case "SCRAM-SHA-256-PLUS": state = .scramInitial(.sha256, plus: true)
        case "EXTERNAL": state = .externalInitial
        case "OAUTHBEARER": state = .bearerInitial(xoauth2: false)
        case "XOAUTH2": state = .bearerInitial(xoauth2: true)
        default: return nil
        }
        self.bearerChecker = bearer
        self.passwordCheck = passwordCheck
        self.mechanism = name
        self.context = context
        self.scramDefaults = scramDefaults
        self.lookup = lookup
    }

    /// Begins the exchange. `initialResponse` nil means the client sent none; an empty one is treated the same
    /// (RFC 5804 clients send `""` to ask for the first challenge).
    public mutating func start(initialResponse: [UInt8]?) -> SASLStep {
        switch state {
        case .plainInitial:
            guard let response = initialResponse, !response.isEmpty else {
                state = .plainAwaitingResponse
                return .challenge([])
            }
            return finish(plain(response))
        case .loginInitial:
            guard let response = initialResponse, !response.isEmpty else {
                state = .loginAwaitingUser
                return .challenge(Array("Username:".utf8))
            }
            return loginUser(response)
        case .scramInitial(let hash, let plus):
            // SCRAM is client-first: a client that sent no initial response gets an empty challenge.
            guard let response = initialResponse, !response.isEmpty else { return .challenge([]) }
            return scramClientFirst(response, hash: hash, plus: plus)
        case .externalInitial:
            // An empty initial response is a message: the empty authorization identity.
            guard let response = initialResponse else {
                state = .externalAwaitingResponse
                return .challenge([])
            }
            return finish(external(response))
        case .bearerInitial(let xoauth2):
            // Client-first: without an initial response, an empty challenge asks for the message.
            guard let response = initialResponse, !response.isEmpty else { return .challenge([]) }
            return bearerMessage(response, xoauth2: xoauth2)
        case .plainAwaitingResponse, .loginAwaitingUser, .loginAwaitingPassword, .scramAwaitingFinal,
            .externalAwaitingResponse, .bearerAwaitingAcknowledgement, .finished:
            return finish(.failure(.malformed("the exchange has already started")))
        }
    }

    /// Handles the client's answer to the last challenge.
    public mutating func step(_ response: [UInt8]) -> SASLStep {
        switch state {
        case .plainAwaitingResponse:
            return finish(plain(response))
        case .loginAwaitingUser:
            return loginUser(response)
        case .loginAwaitingPassword(let user):
            return finish(verify(user: user, password: response))
        case .scramInitial(let hash, let plus):
            // The answer to the empty challenge that `start` sent without an initial response.
            return scramClientFirst(response, hash: hash, plus: plus)
        case .scramAwaitingFinal(let exchange):
            return finish(scramClientFinal(response, exchange: exchange))
        case .externalAwaitingResponse:
            return finish(external(response))
        case .bearerInitial(let xoauth2):
            return bearerMessage(response, xoauth2: xoauth2)
        case .bearerAwaitingAcknowledgement(let failure):
            // RFC 7628 §3.2.3: the client answers the error with %x01; whatever it sends, the exchange failed.
            return finish(.failure(failure))
        case .plainInitial, .loginInitial, .externalInitial, .finished:
            return finish(.failure(.unsupportedMechanism))
        }
    }

    /// A bearer message: success, a malformed message's immediate failure, or the error challenge.
    mutating func bearerMessage(_ message: [UInt8], xoauth2: Bool) -> SASLStep {
        let step = xoauth2 ? xoauth2Message(message) : oauthBearer(message)
        switch step {
        case .failure(.malformed), .failure(.unsupportedMechanism), .success, .challenge:
            return finish(step)
        case .failure(let failure):
            state = .bearerAwaitingAcknowledgement(failure)
            return .challenge(bearerErrorChallenge(for: failure, mechanism: mechanism))
        }
    }

    mutating func finish(_ step: SASLStep) -> SASLStep {
        state = .finished
        return step
    }

    // MARK: PLAIN (RFC 4616 §2)

    // message   = [authzid] UTF8NUL authcid UTF8NUL passwd
    // authcid   = 1*SAFE ; MUST accept up to 255 octets
    // authzid   = 1*SAFE ; MUST accept up to 255 octets
    // passwd    = 1*SAFE ; MUST accept up to 255 octets
    private func plain(_ message: [UInt8]) -> SASLStep {
        let parts = message.split(separator: 0, omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            return .failure(.malformed("PLAIN message has \(parts.count - 1) NUL separators, expected 2"))
        }
        guard let authzid = String(validating: parts[0], as: UTF8.self),
            let authcid = String(validating: parts[1], as: UTF8.self)
        else { return .failure(.malformed("PLAIN identity is not UTF-8")) }
        guard !authcid.isEmpty else { return .failure(.malformed("PLAIN authentication identity is empty")) }
        guard !parts[2].isEmpty else { return .failure(.malformed("PLAIN password is empty")) }
        // Check the password first so that a foreign authzid costs the same work as any other attempt.
        let result = verify(user: authcid, password: Array(parts[2]))
        if case .success = result, !authzid.isEmpty, authzid != authcid {
            return .failure(.authorizationRefused(authzid))
        }
        return result
    }

    // MARK: LOGIN (draft-murchison-sasl-login)

    private mutating func loginUser(_ response: [UInt8]) -> SASLStep {
        guard !response.isEmpty, !response.contains(0), let user = String(validating: response, as: UTF8.self) else {
            return finish(.failure(.malformed("LOGIN user name is empty, contains NUL or is not UTF-8")))
        }
        state = .loginAwaitingPassword(user: user)
        return .challenge(Array("Password:".utf8))
    }

    // MARK: credentials

    /// Looks the user up and checks the password; an unknown user (or one whose stored password cannot be
    /// checked) costs the same work and gets the same answer on the wire as a wrong password, while the failure
    /// says which it was, for the log. Account policy (the `nologin` flag with its `reason`, the uid range) is
    /// the caller's to apply to the returned entry, so that only the right password reveals a refusal's reason.
    private func verify(user: String, password: [UInt8]) -> SASLStep {
        let known = lookup(user)
        if let passwordCheck, passwordCheck.forAllUsers || known == nil {
            switch passwordCheck.check(user, password, known) {
            case .accepted(let entry): return .success(entry, serverFinal: nil)
            case .rejected: return .failure(known == nil ? .unknownUser(user) : .credentialsRejected(user: user))
            case .temporaryFailure(let why): return .failure(.temporaryFailure(user: user, why))
            }
        }
        guard let entry = known else {
            PasswordVerifier.burnEquivalentWork(password)
            return .failure(.unknownUser(user))
        }
        switch PasswordVerifier.check(password, against: entry.password, user: user) {
        case .match:
            return .success(entry, serverFinal: nil)
        case .mismatch:
            return .failure(.credentialsRejected(user: user))
        case .unusable(let problem):
            PasswordVerifier.burnEquivalentWork(password)
            return .failure(.unusablePassword(user: user, problem))
        }
    }
}
