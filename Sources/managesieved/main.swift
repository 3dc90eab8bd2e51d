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

enum Version {
    static let usage = "usage: managesieved [-c FILE] [--version]\n"
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
func serve() -> Never {
    // The commonest configurations get their greeting before anything else runs (QuickGreeting.swift).
    var openedPasswd: PasswdDatabase?
    let quickStart = QuickGreeting.start(openedPasswd: &openedPasswd)
    let quick = quickStart?.arrays()

    // Options. Nothing may be printed on fd 0/1/2 in serve mode, so usage errors go to syslog
    // (and to stderr only when it is a terminal, i.e. a human ran us by hand).
    var configPath = QuickGreeting.defaultConfigPath.description
    // argv read one C string at a time: `CommandLine.arguments` builds the whole array through a generic map,
    // ~30,000 instructions of start-up on every connection.
    var argumentIndex = 1
    while argumentIndex < Int(CommandLine.argc), let pointer = CommandLine.unsafeArgv[argumentIndex] {
        let argument = String(cString: pointer)
        argumentIndex += 1
        switch argument {
        case "-c", "--config":
            guard argumentIndex < Int(CommandLine.argc), let pathPointer = CommandLine.unsafeArgv[argumentIndex] else {
                ProcessControl.usageError("option \(argument) needs a file name\n" + Version.usage)
            }
            configPath = String(cString: pathPointer)
            argumentIndex += 1
        case "--checkpassword-reply":
            Checkpassword.replyAndExit()
        case "--version", "-V":
            ProcessControl.printToTerminal(BuildInfo.versionText(program: "managesieved") + "\n")
            ProcessControl.exit(ExitCode.ok)
        case "--help", "-h":
            ProcessControl.printToTerminal(Version.usage)
            ProcessControl.exit(ExitCode.ok)
        default:
            ProcessControl.usageError("unknown option \(argument)\n" + Version.usage)
        }
    }

    if quick == nil {
        _ = ProcessControl.redirectStandardErrorToDevNull()
        ProcessControl.ignoreSIGPIPE()
    }

    let settings: Settings
    do {
        // The quick start's bytes when it ran: the greeting it sent and these settings come from one read.
        let text = try quick?.config ?? FileRead.readFile(path: configPath, maxSize: 1 << 20)
        settings = try ConfigParser.parse(text, fileName: configPath)
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
    acceptProxyHeader(trusted: settings.haproxyTrustedNetworks, logger: logger)

    // Extensions and compile options.
    let maxScriptSize = settings.effectiveMaxScriptSize
    let compileOptions: CompileOptions
    do {
        compileOptions = try settings.compileOptions()
    } catch {
        refuseService(logger, "\(configPath): sieve_extensions: \(error.message)", code: ExitCode.config)
    }

    // The implicit-TLS sniff window (below) is counted from here, so that building the TLS context (about 2 ms
    // of OpenSSL set-up) happens inside it instead of delaying the greeting of every STARTTLS client.
    let sniffDeadline = Deadline.after(milliseconds: settings.sslSniffTimeoutMilliseconds)
    // TLS context: built now, as root, since the key may be readable by root only.
    var tlsContext: TLSServerContext?
    if settings.ssl != .no {
        guard let tls = settings.tlsSettings else {
            refuseService(
                logger, "\(configPath): ssl = \(settings.ssl) needs ssl_cert and ssl_key", code: ExitCode.config)
        }
        do {
            tlsContext = try TLSServerContext(settings: tls)
        } catch {
            refuseService(logger, "cannot start TLS: \(error)", code: ExitCode.config)
        }
    }

    var serverSettings = ServerSettings()
    serverSettings.implementationString = settings.implementationString
    serverSettings.compileOptions = compileOptions
    serverSettings.authFailureDelayMilliseconds = settings.authFailureDelayMilliseconds
    serverSettings.authMaxAttempts = settings.authMaxAttempts
    serverSettings.maxBadCommands = settings.maxBadCommands
    serverSettings.maxCommands = settings.maxCommands
    serverSettings.maxScriptSize = maxScriptSize
    serverSettings.tlsAvailable = tlsContext != nil
    serverSettings.tlsRequired = settings.ssl == .required
    serverSettings.disablePlaintextAuth = settings.effectiveDisablePlaintextAuth
    serverSettings.allowSCRAMBeforeTLS = settings.authAllowSCRAMBeforeTLS
    serverSettings.authMechanisms = settings.authMechanisms
    serverSettings.parserLimits = ParserLimits(maxLineLength: settings.maxLineLength, maxScriptSize: maxScriptSize)

    var policy = LocalBackend.Policy()
    policy.firstValidUID = settings.firstValidUID
    policy.lastValidUID = settings.lastValidUID
    policy.storageTemplate = settings.sieveStorage
    policy.activeLinkTemplate = settings.sieve
    policy.lockTimeoutMilliseconds = settings.lockTimeoutMilliseconds

    let globalQuota = settings.globalQuota
    // Session transcript (rawlog_dir): opened now, as root, after the PROXY header gave the real peer.
    let transcript: TranscriptFile? = settings.rawlogDir.flatMap { directory in
        TranscriptRecorder.open(
            directory: directory, peer: logger.peer ?? "local", pid: ProcessControl.pid,
            maxLiteral: settings.rawlogMaxLiteral, users: settings.rawlogUsers, peers: settings.rawlogPeers,
            logger: logger)
    }

    /// The transport as the session sees it: recorded when there is a transcript.
    let recorded: (any Transport) -> any Transport = { transport in
        transcript.map { TranscriptTransport(wrapping: transport, file: $0) } ?? transport
    }

    let backend = LocalBackend(
        passwdPath: settings.passwdFile, policy: policy,
        limits: { entry in
            UserLimits.resolve(
                entry, global: globalQuota, hardLimit: Settings.hardScriptSizeLimit, parseSize: ConfigParser.parseSize)
        },
        expand: { template, user, home in PathExpansion.expand(template, user: user, home: home) },
        logger: logger)
    if let passwd = quick?.passwd ?? openedPasswd {
        backend.usePasswd(passwd)
    }
    backend.checkpassword = settings.checkpasswordConfiguration()
    do {
        backend.oauth = try settings.oauthConfiguration()
    } catch {
        refuseService(logger, "\(configPath): \(error)", code: ExitCode.config)
    }
    backend.scramSecretPath = settings.authSCRAMSecretFile
    if let transcript {
        // Named after the user (or dropped by rawlog_users) while still privileged.
        backend.onUserVerified = { transcript.userIdentified($0.user) }
    }

    var timeouts = ConnectionTimeouts()
    timeouts.idle = settings.idleTimeoutMilliseconds
    timeouts.command = settings.commandTimeoutMilliseconds
    timeouts.login = settings.loginTimeoutMilliseconds

    if quick == nil {
        Socket.setNoDelay(0)
        Socket.setNoDelay(1)
    }
    let clientFDs = FDTransport(input: 0, output: 1)
    // A client that stops reading its answers must not hold this process for ever.
    clientFDs.boundWrites(timeoutMilliseconds: timeouts.command)
    let plain = recorded(clientFDs)

    /// The TLS session once one runs: it gets a close_notify when the session ends.
    var activeTLS: TLSTransport?
    let upgrade: (() throws -> (transport: any Transport, info: TLSInfo))? = tlsContext.map { context in
        {
            let tls = context.makeTransport(input: 0, output: 1)
            try tls.handshake(timeoutMilliseconds: timeouts.tlsHandshake)
            tls.writeTimeoutMilliseconds = timeouts.command
            activeTLS = tls
            return (recorded(tls), tlsInfo(tls))
        }
    }

    let connection = Connection(
        transport: plain, session: Session(settings: serverSettings, backend: backend), logger: logger,
        timeouts: timeouts, upgradeToTLS: upgrade)

    // Implicit TLS on the STARTTLS port: a client that speaks first with a TLS record gets TLS at once.
    if let tlsContext, TLSSniffer.clientSpeaksTLSFirst(fd: 0, timeoutMilliseconds: sniffDeadline.remainingMilliseconds)
    {
        let tls = tlsContext.makeTransport(input: 0, output: 1)
        do {
            try tls.handshake(timeoutMilliseconds: timeouts.tlsHandshake)
        } catch {
            logger.log(.notice, "implicit TLS handshake failed: \(error)")
            ProcessControl.exit(ExitCode.ok)
        }
        tls.writeTimeoutMilliseconds = timeouts.command
        activeTLS = tls
        let info = tlsInfo(tls)
        logger.log(.info, "implicit TLS started: \(info.description)")
        connection.startWithTLS(transport: recorded(tls), info: info)
    }

    let reason = connection.run(
        greetingSent: quick?.greeting,
        afterGreeting: {
            // Only a proxied login needs this; setting it costs ~34,000 instructions of type metadata (its closure
            // types), which the greeting need not wait for.
            connection.proxySupport = makeProxySupport(settings: settings, backend: backend, logger: logger)
            // Only `proxy_maybe` logins use it (getsockname, environment).
            backend.localEndpoint = localEndpointOfConnection()
            logger.log(.info, "connect")
        })
    // A client reading to the end must see close_notify, not a truncation (openssl s_client reports that as an error).
    activeTLS?.shutdown()
    logger.log(.info, connection.summary(reason: reason))
    ProcessControl.exit(ExitCode.ok)
}

serve()
