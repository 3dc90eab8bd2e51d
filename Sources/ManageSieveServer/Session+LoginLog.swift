import Auth

// The log line of a failed login, in one fixed format that administrators and fail2ban can rely on
// (managesieved(8), LOGGING):
//
//   peer=ADDRESS:PORT: login failed: reason=REASON user=NAME method=MECHANISM[: detail]
//
// The `peer=` part is the logger's context prefix; the user is `-` when the client gave none.

/// Why a login failed, as the `reason=` word of the log line names it.
enum LoginFailureReason: String {
    /// No such user in the passwd-file.
    case unknownUser = "unknown-user"
    /// A wrong password (or SCRAM proof).
    case wrongPassword = "wrong-password"
    /// The user's stored password is in a scheme that cannot be checked here, or is malformed.
    case unsupportedScheme = "unsupported-scheme"
    /// The account carries the `nologin` flag.
    case disabled = "disabled"
    /// Right password, but the account may not log in (uid range, another user after UNAUTHENTICATE,
    /// authorization identity refused).
    case notAllowed = "not-allowed"
    /// Right password, but the server could not serve the user (storage, proxy fields).
    case unavailable = "unavailable"
    /// A bearer token (OAUTHBEARER, XOAUTH2) was refused: bad signature, unknown key, a claim check.
    case invalidToken = "invalid-token"
    /// The password check could not decide (checkpassword failed or timed out): NO (TRYLATER).
    case temporaryFailure = "temporary-failure"
    /// The client's SASL messages were malformed.
    case malformed = "malformed"
    /// The client cancelled the exchange with `*`.
    case cancelled = "cancelled"
    /// The session ends because of too many failed logins.
    case tooManyAttempts = "too-many-attempts"
}

extension Session {
    /// The text after `login failed: ` for one failed attempt.
    static func loginFailure(
        _ reason: LoginFailureReason, user: String?, mechanism: String, detail: String? = nil
    ) -> String {
        var line = "reason=\(reason.rawValue) user=\(user.map { $0.isEmpty ? "-" : $0 } ?? "-") method=\(mechanism)"
        if let detail { line += ": " + detail }
        return line
    }

    /// The log reason, user and detail of a failed SASL exchange.
    static func loginFailure(_ failure: SASLFailure, mechanism: String) -> String {
        switch failure {
        case .malformed(let why):
            loginFailure(.malformed, user: nil, mechanism: mechanism, detail: why)
        case .credentialsRejected(let user):
            loginFailure(.wrongPassword, user: user, mechanism: mechanism)
        case .unknownUser(let user):
            loginFailure(.unknownUser, user: user, mechanism: mechanism)
        case .unusablePassword(let user, let problem):
            loginFailure(.unsupportedScheme, user: user, mechanism: mechanism, detail: problem.description)
        case .authorizationRefused(let authzid):
            loginFailure(
                .notAllowed, user: nil, mechanism: mechanism, detail: "authorization identity '\(authzid)' refused")
        case .unsupportedMechanism:
            loginFailure(.malformed, user: nil, mechanism: mechanism, detail: "unsupported mechanism")
        case .temporaryFailure(let user, let why):
            loginFailure(.temporaryFailure, user: user, mechanism: mechanism, detail: why)
        case .tokenRejected(let rejection):
            loginFailure(.invalidToken, user: rejection.user, mechanism: mechanism, detail: rejection.description)
        case .channelBindingNotOffered(_, let detail):
            loginFailure(.malformed, user: nil, mechanism: mechanism, detail: detail)
        }
    }

    /// The log reason of a login refused after the password was right.
    static func loginFailure(_ refusal: LoginRefusal, user: String, mechanism: String, detail: String) -> String {
        let reason: LoginFailureReason =
            switch refusal {
            case .disabled: .disabled
            case .uidNotAllowed, .groupNotAllowed, .notOwnUser, .differentUserAfterUnauthenticate: .notAllowed
            case .storageUnavailable, .proxyMisconfigured: .unavailable
            }
        return loginFailure(reason, user: user, mechanism: mechanism, detail: detail)
    }
}
