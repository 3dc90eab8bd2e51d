import Auth
import ManageSieveProtocol
import Posix

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
        state = .nonAuthenticated
        // Every proxy on the way took one hop: a login that arrives with none left has gone round in a circle
        // (or through more proxies than any sane setup has).
        guard proxyTTL > 1 else {
            return [
                .note(.saslEnd),
                .log(
                    .warning,
                    "proxy failed: user=\(entry.user) backend=\(target.endpoint): proxy loop: the login arrived "
                        + "with TTL \(proxyTTL) (\(settings.proxyTTL) at the first proxy), not relayed again"),
                .send(.response(Response(.no, code: .tryLater, Texts.proxyLoop))),
            ]
        }
        let password = ProxyCredentials.clientPassword(
            mechanism: mechanism, lastMessage: clientInput, storedPassword: entry.password)
        guard let credentials = ProxyCredentials(target: target, clientPassword: password) else {
            // SCRAM never reveals the password; without it in clear or a master user the backend cannot be reached.
            return [
                .note(.saslEnd),
                .log(
                    .notice,
                    "proxy: user=\(entry.user) logged in with \(mechanism), which cannot be relayed "
                        + "(no cleartext password and no master user)"),
                .send(.response(Response(.no, Texts.proxyMechanismNotRelayable(mechanism)))),
            ]
        }
        pendingRelay = PendingRelay(user: entry.user, mechanism: mechanism, target: target, serverFinal: serverFinal)
        return [
            .note(.saslEnd),
            .log(
                .debug,
                "proxy: user=\(entry.user) to \(target.endpoint) as \(target.user) (\(target.securityDescription))"),
            .relay(ProxyRequest(user: entry.user, target: target, credentials: credentials, ttl: proxyTTL - 1)),
        ]
    }

    /// `XCLIENT ADDR=… PORT=… TTL=…` from a trusted proxy before login (Pigeonhole's extension): the real
    /// client's address for the log, and the hops left. Other fields (SESSION=, TIMEOUT=, …) are ignored.
    mutating func xclient(_ fields: [[UInt8]]) -> [Effect] {
        guard settings.xclientTrusted else { return refuseXCLIENT(Texts.xclientNotTrusted) }
        guard case .nonAuthenticated = state else {
            return [.send(.response(Response(.no, Texts.alreadyAuthenticated)))]
        }
        var address: String? = nil
        var port: String? = nil
        var ttl: Int? = nil
        for field in fields {
            guard let equals = field.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let name = String(decoding: field[..<equals], as: UTF8.self).uppercased()
            let value = String(decoding: field[(equals + 1)...], as: UTF8.self)
            switch name {
            case "ADDR":
                guard IPAddress.parse(value) != nil else { return refuseXCLIENT(Texts.xclientBadField("ADDR")) }
                address = value
            case "PORT":
                guard UInt16(value) != nil else { return refuseXCLIENT(Texts.xclientBadField("PORT")) }
                port = value
            case "TTL":
                guard let hops = Int(value), hops >= 0, hops <= 255 else {
                    return refuseXCLIENT(Texts.xclientBadField("TTL"))
                }
                ttl = hops
            default:
                continue
            }
        }
        if let ttl { proxyTTL = min(proxyTTL, ttl) }
        var effects: [Effect] = []
        if let address {
            let shown = address.contains(":") ? "[\(address)]" : address
            effects.append(.setPeer(port.map { "\(shown):\($0)" } ?? address))
        }
        effects.append(.log(.debug, "xclient: ttl=\(proxyTTL)"))
        effects.append(.send(.response(.ok)))
        return effects
    }

    /// An XCLIENT that is not accepted counts as an invalid command before login.
    mutating func refuseXCLIENT(_ text: String) -> [Effect] {
        badCommands += 1
        if badCommands >= settings.maxBadCommands {
            return [.send(.response(Response(.no, text)))]
                + bye(Texts.tooManyBadCommands, log: "too many invalid commands before login")
        }
        return [.log(.notice, "xclient refused: \(text)"), .send(.response(Response(.no, text)))]
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
