import Auth
import Config
import ManageSieveServer
import Posix
import TLS

/// This server's address and port as the client reached it: the local address of fd 0, else socat's
/// SOCAT_SOCKADDR/SOCAT_SOCKPORT (socat EXEC hands the child a socketpair). `proxy_maybe` compares with it.
func localEndpointOfConnection() -> (host: String, port: UInt16)? {
    if let local = Socket.localAddress(0), let colon = local.lastIndex(of: ":"),
        let port = UInt16(local[local.index(after: colon)...])
    {
        return (hostPart(local), port)
    }
    if let address = ProcessControl.environment("SOCAT_SOCKADDR"),
        let port = ProcessControl.environment("SOCAT_SOCKPORT").flatMap({ UInt16($0) })
    {
        return (address, port)
    }
    return nil
}

/// How this process reaches backends: TLS client (built, with its CA file `ssl_client_ca_file`, before the
/// privilege drop) and the drop to `proxy_user`, a passwd-file user (no NSS), before connecting.
func makeProxySupport(settings: Settings, backend: LocalBackend, logger: Logger) -> ProxySupport {
    var clientContext: TLSClientContext?
    var contextError: String?
    func prepare() -> String? {
        if clientContext == nil && contextError == nil {
            do {
                clientContext = try TLSClientContext(
                    caPath: settings.sslClientCAFile, minProtocol: settings.sslMinProtocol)
            } catch {
                contextError = "\(error)"
            }
        }
        return contextError
    }
    let startTLS: ProxySupport.StartTLS = { fd, host, verify, timeout in
        if let why = prepare() { throw ProxyIdentityProblem(text: why) }
        guard let context = clientContext else { throw ProxyIdentityProblem(text: "no TLS client context") }
        let tls = context.makeTransport(fd: fd, host: host, verify: verify)
        try tls.handshake(timeoutMilliseconds: timeout)
        return (tls, tls.summary)
    }
    /// The passwd-file entry to relay as, or why there is none. Not root: nothing to drop (already
    /// unprivileged, as under a non-root service).
    func relayIdentity() -> Result<PasswdEntry?, ProxyIdentityProblem> {
        guard Privileges.isRoot else { return .success(nil) }
        guard let name = settings.proxyUser, !name.isEmpty else {
            return .failure(.init(text: "proxy_user is not set (no relaying as root)"))
        }
        guard let entry = backend.lookupUser(name) else {
            return .failure(.init(text: "proxy_user \(name) is not in passwd_file"))
        }
        guard entry.uid != 0, entry.gid != 0 else {
            return .failure(.init(text: "proxy_user \(name) has uid or gid 0"))
        }
        return .success(entry)
    }
    var support = ProxySupport(
        startTLS: startTLS,
        checkPrivileges: {
            if case .failure(let problem) = relayIdentity() { return problem.text }
            return nil
        },
        dropPrivileges: {
            switch relayIdentity() {
            case .success(let entry?):
                Privileges.dropPermanently(uid: entry.uid, gid: entry.gid, supplementaryGroups: [], logger: logger)
            case .success(nil):
                break
            case .failure(let problem):
                // checkPrivileges said yes a moment ago; never relay as root.
                logger.log(.error, "cannot relay: \(problem.text)")
                ProcessControl.exit(Privileges.failureExitCode)
            }
        })
    support.idleTimeoutMilliseconds = settings.idleTimeoutMilliseconds
    support.prepareTLS = prepare
    support.localEndpoint = { backend.localEndpoint }
    return support
}

struct ProxyIdentityProblem: Error, CustomStringConvertible {
    var text: String
    var description: String { text }
}
