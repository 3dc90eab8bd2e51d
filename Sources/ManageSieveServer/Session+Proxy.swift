import Auth
import ManageSieveProtocol

/// A login waiting for the connection to reach its backend.
struct PendingRelay {
    var user: String
    var mechanism: String
    var target: ProxyTarget
    /// SCRAM's server-final message, answered to the client in the OK once the backend accepted.
    var serverFinal: [UInt8]?
}

extension Session {
    /// The credentials were right and the user lives on another server: hand the login to the connection.
    /// The state stays non-authenticated until the connection reports the relay's start or failure.
    mutating func beginRelay(
        entry: PasswdEntry, target: ProxyTarget, mechanism: String, clientInput: [UInt8]?, serverFinal: [UInt8]?
    )
        -> [Effect]
    {
        let password = ProxyCredentials.clientPassword(
            mechanism: mechanism, lastMessage: clientInput, storedPassword: entry.password)
        state = .nonAuthenticated
        guard let credentials = ProxyCredentials(target: target, clientPassword: password) else {
            // SCRAM never reveals the password; without it in clear or a master user the backend cannot be reached.
            return [
                .note(.saslEnd),
                .log(
                    .notice,
                    "proxy: user=\(entry.user) logged in with \(mechanism), which cannot be relayed "
                        + "(no cleartext password and no master user)"),
                .send(.response(Response(.no, "This account cannot log in with \(mechanism), use PLAIN."))),
            ]
        }
        pendingRelay = PendingRelay(user: entry.user, mechanism: mechanism, target: target, serverFinal: serverFinal)
        return [
            .note(.saslEnd),
            .log(
                .debug,
                "proxy: user=\(entry.user) to \(target.endpoint) as \(target.user) (\(target.securityDescription))"),
            .relay(ProxyRequest(user: entry.user, target: target, credentials: credentials)),
        ]
    }

    /// The backend accepted the login: the client gets the OK a direct login gets, and the session ends here
    /// (the connection relays bytes from now on).
    public mutating func relayStarted(backend: String, tls: String?) -> [Effect] {
        guard let relay = pendingRelay else { return [] }
        pendingRelay = nil
        state = .closed
        failedLogins = 0
        let code: ResponseCode? = relay.serverFinal.map { .sasl(Base64.encode($0)) }
        return [
            .note(.login(user: relay.user)),
            .log(
                .info,
                "login: user=\(relay.user) method=\(relay.mechanism)\(tlsActive ? " tls" : "") "
                    + "proxy=\(backend)\(tls != nil ? " backend-tls" : "")"),
            .send(.response(Response(.ok, code: code))),
        ]
    }

    /// The relay could not start: the client is told to try later and may log in again.
    public mutating func relayFailed(_ failure: ProxyFailure) -> [Effect] {
        let relay = pendingRelay
        pendingRelay = nil
        state = .nonAuthenticated
        let who = relay.map { "user=\($0.user) backend=\($0.target.endpoint)" } ?? "-"
        return [
            .log(.notice, "proxy failed: \(who): \(failure)"),
            .send(.response(Response(.no, code: .tryLater, failure.clientText))),
        ]
    }
}
