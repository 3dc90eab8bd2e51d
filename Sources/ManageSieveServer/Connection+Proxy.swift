import ManageSieveProtocol
import Posix
import Transcript

/// What the connection needs to relay logins to backends. Built by the executable, which owns TLS and the
/// privilege policy; this target never imports TLS.
public struct ProxySupport {
    /// TLS client handshake over a connected backend socket: `(fd, host as configured, verify the certificate,
    /// timeout in ms)` → the TLS transport and a description ("TLSv1.3 TLS_AES_256_GCM_SHA384") for logs.
    public typealias StartTLS = (_ fd: Int32, _ host: String, _ verify: Bool, _ timeoutMilliseconds: Int) throws
        -> (transport: any PollableTransport, description: String)

    public var startTLS: StartTLS?
    /// Builds what TLS towards backends needs while still privileged (the CA file may be readable by root
    /// only); nil when ready, else why not. Called before `dropPrivileges` when the target uses TLS.
    public var prepareTLS: () -> String? = { nil }
    /// Says why this process could not take its unprivileged relay identity (`proxy_user` unset or unknown
    /// while running as root), or nil. Asked before connecting: such a login is refused with TRYLATER.
    public var checkPrivileges: () -> String?
    /// Takes the relay identity for good. Called before the first byte goes to the network (the TCP connect,
    /// the TLS handshake and the backend's replies are handled unprivileged) and after the login was verified
    /// and noted while privileged (a transcript is renamed after the user then). A no-op when not root.
    public var dropPrivileges: () -> Void
    /// This server's own address and port as the client reached it, when known: never a backend.
    public var localEndpoint: () -> (host: String, port: UInt16)? = { nil }
    /// Resolves a host to a numeric address (numeric as is, else /etc/hosts; no NSS).
    public var resolve: (String) -> String? = { try? TCPConnect.resolve($0) }
    /// Opens the TCP connection to a numeric address.
    public var connect: (_ address: String, _ port: UInt16, _ timeoutMilliseconds: Int) throws(SystemError) -> Int32 = {
        address, port, timeout throws(SystemError) in
        try TCPConnect.connect(address: address, port: port, timeoutMilliseconds: timeout)
    }
    /// How long the relay waits for either side before ending it (the backend has its own idle timeout).
    public var idleTimeoutMilliseconds: Int = 30 * 60 * 1000

    public init(
        startTLS: StartTLS?, checkPrivileges: @escaping () -> String? = { nil },
        dropPrivileges: @escaping () -> Void = {}
    ) {
        self.startTLS = startTLS
        self.checkPrivileges = checkPrivileges
        self.dropPrivileges = dropPrivileges
    }
}

extension Connection {
    /// Performs `.relay`: log in to the backend, answer the client, relay until one side closes. On failure
    /// the session answers `NO (TRYLATER)` and the client may try again.
    func relay(_ request: ProxyRequest) {
        flush()
        switch openBackend(request) {
        case .failure(let failure):
            perform(session.relayFailed(failure))
        case .success(let backend):
            run(request, backend: backend)
            TCPConnect.close(backend.fd)
        }
    }

    struct Backend {
        var fd: Int32
        var transport: any PollableTransport
        var tls: String?
        var leftover: [UInt8]
    }

    func openBackend(_ request: ProxyRequest) -> Result<Backend, ProxyFailure> {
        let target = request.target
        guard let support = proxySupport else { return .failure(.unavailable("no proxy support in this process")) }
        guard clientSide != nil else { return .failure(.unavailable("the client transport cannot be polled")) }
        if let why = support.checkPrivileges() { return .failure(.privileges(why)) }
        let deadline = Deadline.after(milliseconds: target.timeoutMilliseconds)
        guard let address = support.resolve(target.host) else {
            return .failure(.unresolvable("cannot resolve '\(target.host)': not numeric and not in /etc/hosts"))
        }
        if let local = support.localEndpoint(), local.port == target.port,
            let own = IPAddress.parse(local.host), IPAddress.parse(address) == own
        {
            return .failure(.loop("\(target.endpoint) is this server's own address and port"))
        }
        if target.security != .none, let why = support.prepareTLS() { return .failure(.tlsFailed(why)) }
        // Everything below talks to the network: not as root.
        support.dropPrivileges()
        let fd: Int32
        do {
            fd = try support.connect(address, target.port, deadline.remainingMilliseconds)
        } catch {
            if error.errno == TCPConnect.timedOutErrno {
                return .failure(.timeout(step: "connecting to \(target.endpoint)"))
            }
            return .failure(.connectFailed("\(target.endpoint): \(error)"))
        }
        var tls: String? = nil
        func handshake() throws(ProxyFailure) -> any PollableTransport {
            guard let startTLS = support.startTLS else { throw .unavailable("no TLS client in this process") }
            let verify: Bool
            switch target.security {
            case .none: verify = true
            case .implicitTLS(let v), .startTLS(let v): verify = v
            }
            do {
                let upgraded = try startTLS(fd, target.host, verify, deadline.remainingMilliseconds)
                tls = upgraded.description
                return upgraded.transport
            } catch {
                throw .tlsFailed("\(error)")
            }
        }
        do throws(ProxyFailure) {
            var transport: any PollableTransport = FDTransport(input: fd, output: fd)
            if case .implicitTLS = target.security { transport = try handshake() }
            let result = try ProxyBackendLogin.login(
                over: transport, target: target, credentials: request.credentials, deadline: deadline,
                xclient: xclientLine(request), startTLS: handshake)
            return .success(Backend(fd: fd, transport: result.transport, tls: tls, leftover: result.leftover))
        } catch {
            TCPConnect.close(fd)
            return .failure(error)
        }
    }

    /// What a backend that offers XCLIENT is told: the real client and the hops left.
    func xclientLine(_ request: ProxyRequest) -> [UInt8] {
        var line = "XCLIENT"
        if let peer = logger.peer {
            var host = peer
            var port: String? = nil
            if peer.hasPrefix("["), let close = peer.firstIndex(of: "]") {
                host = String(peer[peer.index(after: peer.startIndex)..<close])
                let rest = peer[peer.index(after: close)...]
                if rest.hasPrefix(":") { port = String(rest.dropFirst()) }
            } else if let colon = peer.firstIndex(of: ":"), peer.lastIndex(of: ":") == colon {
                host = String(peer[..<colon])
                port = String(peer[peer.index(after: colon)...])
            }
            if IPAddress.parse(host) != nil {
                line += " ADDR=\(host)"
                if let port, UInt16(port) != nil { line += " PORT=\(port)" }
            }
        }
        return Array("\(line) TTL=\(request.ttl)\r\n".utf8)
    }

    /// The client's transport under any transcript decorator: relayed payload is not recorded.
    var clientSide: (any PollableTransport)? {
        if let recorder = transport as? TranscriptTransport { return recorder.inner as? any PollableTransport }
        return transport as? any PollableTransport
    }

    func run(_ request: ProxyRequest, backend: Backend) {
        guard let support = proxySupport, let client = clientSide else { return }
        let tlsText = backend.tls ?? "no"
        perform(session.relayStarted(backend: request.target.endpoint, tls: backend.tls))
        flush()
        if closeReason != nil { return }
        transport.note(.other("relay start: backend=\(request.target.endpoint) tls=\(tlsText)"))
        logger.log(
            .info,
            "relay start: user=\(request.user) backend=\(request.target.endpoint) as=\(request.target.user) tls=\(tlsText)"
        )
        var toBackend = 0
        var toClient = 0
        let why = pump(
            client: client, backend: backend, pipelined: parser.takeBufferedInput(),
            toBackend: &toBackend, toClient: &toClient, idle: support.idleTimeoutMilliseconds)
        transport.note(.other("relay end: in=\(toBackend) out=\(toClient)"))
        logger.log(
            .info,
            "relay end: user=\(request.user) backend=\(request.target.endpoint) in=\(toBackend) out=\(toClient) reason=\(why)"
        )
        close("relay: \(why)")
    }

    /// Copies bytes both ways until a side closes. After the client closes, the backend gets EOF and up to 2 s
    /// to send its last answer (a LOGOUT's OK).
    func pump(
        client: any PollableTransport, backend: Backend, pipelined: [UInt8], toBackend: inout Int, toClient: inout Int,
        idle: Int
    ) -> String {
        let server = backend.transport
        do {
            if !backend.leftover.isEmpty {
                try client.write(backend.leftover)
                toClient += backend.leftover.count
            }
            if !pipelined.isEmpty {
                try server.write(pipelined)
                toBackend += pipelined.count
            }
        } catch {
            return "write error: \(error)"
        }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(65536)
        var clientOpen = true
        var drainDeadline: Deadline? = nil
        while true {
            var ready = [false, false]
            if !(clientOpen && client.hasBufferedInput) && !server.hasBufferedInput {
                let fds =
                    clientOpen ? [client.readableDescriptor, server.readableDescriptor] : [server.readableDescriptor]
                let wait = drainDeadline?.remainingMilliseconds ?? idle
                do {
                    let flags = try MultiPoll.waitReadable(fds, timeoutMilliseconds: wait)
                    ready = clientOpen ? flags : [false, flags[0]]
                } catch {
                    return "poll error: \(error)"
                }
                if !ready.contains(true) { return drainDeadline == nil ? "idle timeout" : "client disconnected" }
            }
            if clientOpen && (ready[0] || client.hasBufferedInput) {
                do {
                    if let count = try relayChunk(from: client, to: server, buffer: &buffer) {
                        toBackend += count
                    } else {
                        clientOpen = false
                        TCPConnect.shutdownWrite(backend.fd)
                        drainDeadline = Deadline.after(milliseconds: 2000)
                    }
                } catch {
                    return "I/O error relaying client to backend: \(error)"
                }
            }
            if ready[1] || server.hasBufferedInput {
                do {
                    guard let count = try relayChunk(from: server, to: client, buffer: &buffer) else {
                        return clientOpen ? "backend disconnected" : "client disconnected"
                    }
                    toClient += count
                } catch {
                    return clientOpen ? "I/O error relaying backend to client: \(error)" : "client disconnected"
                }
            }
        }
    }

    /// Writes to `destination` what `source` has ready (at most 64 KiB, without waiting): the octets relayed,
    /// or nil at the end of `source`'s input.
    func relayChunk(
        from source: any PollableTransport, to destination: any PollableTransport, buffer: inout [UInt8]
    ) throws(SystemError) -> Int? {
        buffer.removeAll(keepingCapacity: true)
        switch try source.read(into: &buffer, maxCount: 65536, timeoutMilliseconds: 0) {
        case .data(let count):
            try destination.write(buffer)
            return count
        case .eof:
            return nil
        case .timeout:
            return 0
        }
    }
}
