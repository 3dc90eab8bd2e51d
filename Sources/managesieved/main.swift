// managesieved: serves one ManageSieve connection on fd 0/1 (inetd style), then exits.
// Start-up is paid on every connection: no Foundation, no ArgumentParser, options parsed by hand.
import Auth
import Config
import ManageSieveProtocol
import ManageSieveServer
import Posix
import ServerConfiguration
import SieveCompiler
import SieveStorage
import TLS
import Transcript

/// sysexits(3) codes; documented in managesieved(8).
enum ExitCode {
    static let ok: Int32 = 0
    static let usage: Int32 = 64
    static let unavailable: Int32 = 69
    static let software: Int32 = 70
    static let config: Int32 = 78
}

/// Ends a session that cannot start, telling the client (RFC 5804 allows BYE as a greeting).
func refuseService(_ logger: Logger, _ message: String, code: Int32) -> Never {
    logger.log(.error, message)
    let bye = ResponseEncoder.encode(.response(Response(.bye, "Service unavailable: server configuration error.")))
    try? FDTransport(input: 0, output: 1).write(bye)
    ProcessControl.exit(code)
}

/// The client's address when fd 0 is not an inet socket (socat EXEC, or tests over pipes).
func peerFromEnvironment() -> String {
    if let address = ProcessControl.environment("SOCAT_PEERADDR") {
        // An IPv6 address in brackets, as for a socket's peer, so that the log's peer= format is one.
        let host = address.contains(":") && !address.hasPrefix("[") ? "[\(address)]" : address
        if let port = ProcessControl.environment("SOCAT_PEERPORT") { return "\(host):\(port)" }
        return address
    }
    return ProcessControl.environment("REMOTE_HOST") ?? ProcessControl.environment("TCPREMOTEIP") ?? "local"
}

/// What SASL and the logs learn from a finished handshake.
func tlsInfo(_ tls: TLSTransport) -> TLSInfo {
    var bindings: [String: [UInt8]] = [:]
    for kind in ChannelBindingKind.allCases {
        if let data = tls.channelBinding(kind) { bindings[kind.rawValue] = data }
    }
    return TLSInfo(
        description: "\(tls.protocolVersion) \(tls.cipherName)", channelBindings: bindings,
        certificateUser: tls.peerCertificateUsername)
}

/// The whole server, in a function rather than as top-level code: top-level variables are main-actor
/// isolated in Swift 6, and closures touching them made the linker pull in the concurrency runtime and
/// libdispatch, whose start-up (threads' keys, /sys/devices/system/cpu reads) every connection paid before
/// `main` even ran.
///
/// The start-up plan, one path for every configuration (ARCHITECTURE.md, "Start-up"): options, settings,
/// what needs root before the greeting (PROXY header, transcript file, implicit-TLS handshake), the
/// session, then `Connection.run`, which writes the greeting (`Greeting.bytes`) and serves. What the greeting
/// does not need waits until after it: the connect line, the proxy wiring, and the TLS context of a STARTTLS
/// connection, built when STARTTLS asks for it (still as root: no command before login drops privileges).
func serve() -> Never {
    // Options first: `--checkpassword-reply` answers on fd 4, which the hardening would close.
    let options = LaunchOptions.fromCommandLine()
    ProcessHardening.atStart()  // not dumpable, no core, no descriptor inherited from the launcher
    // fd 0/1/2 carry protocol bytes only: nothing a library prints may reach the client.
    _ = ProcessControl.redirectStandardErrorToDevNull()
    ProcessControl.ignoreSIGPIPE()
    // Small TLS records and capability blocks must not wait for a delayed ACK.
    Socket.setNoDelay(0)
    Socket.setNoDelay(1)

    let configPath = options.configPath
    let settings: Settings
    do {
        settings = try ConfigParser.parse(FileRead.readFile(path: configPath, maxSize: 1 << 20), fileName: configPath)
    } catch {
        // Syslog is opened only when there is something to say: openlog connects a socket.
        refuseService(
            Logger(destination: .syslog(facility: "mail", ident: "managesieved")), "cannot start: \(error)",
            code: ExitCode.config)
    }

    let logger: Logger
    if let logPath = settings.logPath {
        logger = Logger(destination: .file(path: logPath))
    } else {
        logger = Logger(
            destination: .syslog(facility: settings.syslogFacility, ident: "managesieved"))
    }
    logger.peer = Socket.peerAddress(0) ?? peerFromEnvironment()
    logger.minimumLevel = settings.mailDebug ? .debug : .info
    // Judged on the peer itself, before a PROXY header may name another client.
    let xclientTrusted = isTrusted(peer: logger.peer, networks: settings.loginTrustedNetworks)
    acceptProxyHeader(trusted: settings.haproxyTrustedNetworks, logger: logger)

    // Extensions and compile options.
    let compileOptions: CompileOptions
    do {
        compileOptions = try settings.compileOptions()
    } catch {
        refuseService(logger, "\(configPath): sieve_extensions: \(error.message)", code: ExitCode.config)
    }

    // TLS: checked now, built when first needed (TLSWiring.swift).
    let tls = DeferredTLSContext.check(settings: settings, configPath: configPath, logger: logger)
    if options.implicitTLS && tls == nil {
        refuseService(
            logger, "\(configPath): --implicit-tls needs ssl = yes with ssl_cert and ssl_key", code: ExitCode.config)
    }

    let serverSettings = settings.serverSettings(
        compileOptions: compileOptions, tlsAvailable: tls != nil, xclientTrusted: xclientTrusted)
    let policy = settings.localBackendPolicy

    // Session transcript (rawlog_dir): opened now, as root, after the PROXY header gave the real peer.
    let transcript: TranscriptFile? = settings.rawlogDir.flatMap { directory in
        TranscriptRecorder.open(
            directory: directory, peer: logger.peer ?? "local", pid: ProcessControl.pid,
            maxLiteral: settings.rawlogMaxLiteral, maxSize: settings.rawlogMaxSize, users: settings.rawlogUsers,
            peers: settings.rawlogPeers,
            logger: logger)
    }

    /// The transport as the session sees it: recorded when there is a transcript.
    let recorded: (any Transport) -> any Transport = { transport in
        transcript.map { TranscriptTransport(wrapping: transport, file: $0) } ?? transport
    }

    let backend = LocalBackend(
        passwdPath: settings.passwdFile, policy: policy,
        limits: { entry in settings.userLimits(for: entry) }, expand: Settings.expandPath,
        logger: logger)
    // Assigned only when configured: replacing a nil would be the process's first release of a generic
    // Optional, whose runtime metadata costs more than the greeting's encoding.
    if let checkpassword = settings.checkpasswordConfiguration() { backend.checkpassword = checkpassword }
    do {
        if let oauth = try settings.oauthConfiguration() { backend.oauth = oauth }
    } catch {
        refuseService(logger, "\(configPath): \(error)", code: ExitCode.config)
    }
    backend.scramSecretPath = settings.authSCRAMSecretFile
    if let transcript {
        // Named after the user (or dropped by rawlog_users) while still privileged.
        backend.onUserVerified = { transcript.userIdentified($0.user) }
    }

    let timeouts = settings.connectionTimeouts

    let clientFDs = FDTransport(input: 0, output: 1)
    // A client that stops reading its answers must not hold this process for ever.
    clientFDs.boundWrites(timeoutMilliseconds: timeouts.command)

    /// The TLS session once one runs: it gets a close_notify when the session ends.
    var activeTLS: TLSTransport?
    /// A TLS session on fd 0/1: the context is built on first use (as root), then the handshake.
    func handshake() throws -> (transport: any Transport, info: TLSInfo) {
        let tlsTransport = try tls!.context().makeTransport(input: 0, output: 1)
        try tlsTransport.handshake(timeoutMilliseconds: timeouts.tlsHandshake)
        tlsTransport.writeTimeoutMilliseconds = timeouts.command
        activeTLS = tlsTransport
        return (recorded(tlsTransport), tlsInfo(tlsTransport))
    }

    let connection = Connection(
        transport: recorded(clientFDs), session: Session(settings: serverSettings, backend: backend), logger: logger,
        timeouts: timeouts, upgradeToTLS: tls.map { _ in handshake })

    // Implicit TLS: the launcher line says so (a port of its own), or the admin set ssl_sniff_timeout to accept
    // it on the STARTTLS port too (every STARTTLS client then waits that long for its greeting).
    if let tls,
        options.implicitTLS
            || (settings.sslSniffTimeoutMilliseconds > 0
                && TLSSniffer.clientSpeaksTLSFirst(fd: 0, timeoutMilliseconds: settings.sslSniffTimeoutMilliseconds))
    {
        do {
            let started = try handshake()
            logger.log(.info, "implicit TLS started: \(started.info.description)")
            connection.startWithTLS(transport: started.transport, info: started.info)
        } catch {
            logger.log(.notice, "implicit TLS handshake failed: \(error)")
            ProcessControl.exit(ExitCode.ok)
        }
    }

    let reason = connection.run(afterGreeting: {
        // Only a proxied login needs this; setting it costs type metadata (its closure types) the greeting
        // need not wait for.
        connection.proxySupport = makeProxySupport(settings: settings, backend: backend, logger: logger)
        // Only `proxy_maybe` logins use it (getsockname, environment).
        backend.localEndpoint = localEndpointOfConnection()
        logger.log(.info, "connect (\(startupSummary(tls: tls, backend: backend)))")
    })
    // A client reading to the end must see close_notify, not a truncation (openssl s_client reports that as an error).
    activeTLS?.shutdown()
    logger.log(.info, connection.summary(reason: reason))
    ProcessControl.exit(ExitCode.ok)
}

/// What the start-up did before the greeting, for the connect line (a test reads it to know the cheap path ran).
func startupSummary(tls: DeferredTLSContext?, backend: LocalBackend) -> String {
    let context = tls.map { $0.isBuilt ? "TLS context built" : "TLS context not built" } ?? "TLS off"
    let passwd = backend.passwdGreetingNeedsNoParsing ? "nothing parsed" : "SCRAM/cleartext lines parsed"
    return "\(context); passwd-file: \(passwd) for the greeting"
}

serve()
