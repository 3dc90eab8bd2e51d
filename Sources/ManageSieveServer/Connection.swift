import ManageSieveProtocol
import Posix

/// Time limits of one connection, in milliseconds.
public struct ConnectionTimeouts: Sendable {
    /// Between commands once logged in (`managesieve_idle_timeout`).
    public var idle: Int = 30 * 60 * 1000
    /// While a command or literal is partly received (`managesieve_command_timeout`): slow-drip clients.
    public var command: Int = 60 * 1000
    /// Total time allowed in the non-authenticated state (`managesieve_login_timeout`).
    public var login: Int = 60 * 1000
    /// The TLS handshake.
    public var tlsHandshake: Int = 30 * 1000
    public init() {}
}

/// Counters for the session's summary log line.
public struct ConnectionStatistics: Sendable {
    public var bytesIn: Int = 0
    public var bytesOut: Int = 0
    public var startedAt: UInt64 = Clock.monotonicMilliseconds()
}

/// Pumps bytes between a transport and the session, performing the session's effects.
public final class Connection {
    var transport: any Transport
    var parser: CommandParser
    public internal(set) var session: Session
    let logger: Logger
    let timeouts: ConnectionTimeouts
    /// Runs the TLS handshake over the connection's fds and returns the transport to use from then on.
    let upgradeToTLS: (() throws -> (transport: any Transport, info: TLSInfo))?
    public private(set) var statistics = ConnectionStatistics()
    /// How to reach backends for proxied logins (Connection+Proxy.swift); nil refuses them with TRYLATER.
    public var proxySupport: ProxySupport?
    var output: [UInt8] = []
    var closeReason: String?
    /// Set while an effect (STARTTLS) means no further buffered event may be handled in this batch.
    var stopBatch = false
    /// When the event being handled arrived: a failure delay counts from there, so that the
    /// time a verification took (unknown user vs. real hash) cannot be told from the answer's timing.
    var eventStartedAt: UInt64 = 0
    /// When the first bytes of the command being received arrived (nil between commands).
    var commandStartedAt: UInt64?
    static let readChunk = 65536

    public init(
        transport: any Transport, session: Session, logger: Logger, timeouts: ConnectionTimeouts,
        upgradeToTLS: (() throws -> (transport: any Transport, info: TLSInfo))?
    ) {
        self.transport = transport
        self.session = session
        self.parser = CommandParser(limits: session.settings.preLoginParserLimits)
        if let cap = transport.clientInputLiteralCap { parser.startRecording(literalCap: cap) }
        self.logger = logger
        self.timeouts = timeouts
        self.upgradeToTLS = upgradeToTLS
    }

    /// Marks TLS active before the greeting (implicit TLS: the handshake came first).
    public func startWithTLS(transport: any Transport, info: TLSInfo) {
        self.transport = transport
        if let cap = transport.clientInputLiteralCap { parser.startRecording(literalCap: cap) }
        transport.note(.tlsStarted(info.description))
        session.startedWithTLS(info)
    }

    /// Serves the session until it ends; returns the reason it ended. `afterGreeting` runs once the greeting
    /// has been written: work the greeting does not need (the connect log line) waits until then, since
    /// every connection's client waits for those first bytes.
    public func run(afterGreeting: () -> Void = {}) -> String {
        // `session.greeting()`, made by the one function that makes greetings (no arrays of effects or
        // capabilities: their first use costs the runtime more than the encoding).
        let facts = session.greetingFacts()
        output = Greeting.bytes(facts)
        flush()
        // Its strings are released after the write: the process's first release of a heap string costs the
        // runtime more than the greeting's encoding.
        withExtendedLifetime(facts) {}
        afterGreeting()
        var buffer: [UInt8] = []
        buffer.reserveCapacity(Connection.readChunk)
        while closeReason == nil {
            flush()
            if closeReason != nil { break }
            let (timeout, what) = currentTimeout()
            let result: ReadResult
            do {
                // A deadline already passed ends the session even if a fast client always has bytes ready.
                result =
                    timeout == 0
                    ? .timeout
                    : try transport.read(into: &buffer, maxCount: Connection.readChunk, timeoutMilliseconds: timeout)
            } catch {
                close("read error: \(error)")
                break
            }
            switch result {
            case .eof:
                close(session.isAuthenticated ? "client disconnected" : "client disconnected before login")
            case .timeout:
                perform([.send(.response(Response(.bye, what.text))), .close(reason: what.log)])
            case .data(let count):
                statistics.bytesIn += count
                parser.append(buffer)
                buffer.removeAll(keepingCapacity: true)
                stopBatch = false
                while closeReason == nil && !stopBatch, let event = nextEvent() {
                    eventStartedAt = Clock.monotonicMilliseconds()
                    commandStartedAt = nil
                    perform(session.handle(event))
                    // Pipelined GETSCRIPTs must not pile their answers up in memory: write them out as they come.
                    if output.count >= Connection.readChunk { flush() }
                }
                recordInput(parser.takeRecords())
                if parser.hasPartialInput && commandStartedAt == nil {
                    commandStartedAt = Clock.monotonicMilliseconds()
                }
            }
        }
        flush()
        if let abandoned = session.unfinishedAuthentication { logger.log(.notice, abandoned) }
        recordInput(parser.finishRecording())
        transport.note(.disconnect(reason: closeReason ?? "unknown"))
        return closeReason ?? "unknown"
    }

    /// The parser's next event; what it consumed for it goes to the transcript first, before the event can
    /// change the transport (STARTTLS).
    func nextEvent() -> ParseEvent? {
        let event = parser.next()
        recordInput(parser.takeRecords())
        return event
    }

    /// Hands the parser's records of the client's input to the transport (a transcript).
    func recordInput(_ records: [InputRecord]) {
        for record in records {
            let length: UInt64?
            switch record.kind {
            case .line: length = nil
            case .literal(let declared): length = declared
            }
            transport.note(
                .clientInput(
                    ClientInput(
                        literalLength: length, shown: record.shown, withheld: record.withheld,
                        shownAfter: record.shownAfter, dropped: record.dropped, incomplete: record.incomplete)))
        }
    }

    enum TimeoutKind {
        case idle, command, login
        var text: String {
            switch self {
            case .idle: Texts.idleTimeout
            case .command: Texts.commandTimeout
            case .login: Texts.loginTimeout
            }
        }
        var log: String {
            switch self {
            case .idle: "idle timeout"
            case .command: "command timeout (slow client)"
            case .login: "login timeout"
            }
        }
    }

    func currentTimeout() -> (Int?, TimeoutKind) {
        var timeout = timeouts.idle
        var kind = TimeoutKind.idle
        // The command timeout bounds the whole command from its first byte, not the pause between reads:
        // a client dripping one byte at a time must not hold the process for ever (slowloris).
        if parser.hasPartialInput {
            let started = commandStartedAt ?? Clock.monotonicMilliseconds()
            let left = max(0, timeouts.command - Int(Clock.monotonicMilliseconds() - started))
            if left < timeout {
                timeout = left
                kind = .command
            }
        }
        if !session.isAuthenticated {
            let elapsed = Int(Clock.monotonicMilliseconds() - statistics.startedAt)
            let left = max(0, timeouts.login - elapsed)
            if left <= timeout {
                timeout = left
                kind = .login
            }
        }
        return (timeout, kind)
    }

    func perform(_ effects: [Effect]) {
        for effect in effects {
            if closeReason != nil { return }
            switch effect {
            case .send(let out):
                ResponseEncoder.encode(out, into: &output)
            case .delay(let milliseconds):
                flush()
                let spent = Int(Clock.monotonicMilliseconds() - eventStartedAt)
                if milliseconds > spent { Clock.sleep(milliseconds: milliseconds - spent) }
            case .startTLS:
                stopBatch = true
                flush()
                startTLS()
            case .expectSASLResponse:
                parser.expectSASLResponse()
            case .setParserLimits(let limits):
                parser.limits = limits
            case .log(let level, let message):
                logger.log(level, message)
            case .note(let event):
                if case .login(let user) = event { logger.user = user }
                // What was answered so far is written first, so that a transcript sees the bytes and the
                // session's notes in order (a SASL challenge before the end of the exchange).
                flush()
                transport.note(event)
            case .close(let reason):
                flush()
                close(reason)
            case .relay(let request):
                relay(request)
            case .setPeer(let peer):
                logger.log(.info, "xclient: client is \(peer) (via \(logger.peer ?? "-"))")
                logger.peer = peer
            }
        }
    }

    func startTLS() {
        guard let upgradeToTLS else {
            close("STARTTLS without a TLS context")
            return
        }
        // CVE-2011-1926 class: nothing the client pipelined in plaintext may run inside TLS.
        let discarded = parser.discardBufferedInput()
        if discarded > 0 {
            logger.log(.warning, "discarded \(discarded) bytes pipelined after STARTTLS")
            transport.note(.other("discarded \(discarded) bytes pipelined after STARTTLS (not recorded)"))
        }
        do {
            let upgraded = try upgradeToTLS()
            transport = upgraded.transport
            if let cap = transport.clientInputLiteralCap { parser.startRecording(literalCap: cap) }
            transport.note(.tlsStarted(upgraded.info.description))
            perform(session.tlsStarted(upgraded.info))
            // The answer first: over TLS 1.3 it follows the server's handshake flight at once (0.5-RTT) and
            // its write completes the handshake, so the line is logged once TLS really runs.
            flush()
            if closeReason == nil { logger.log(.info, "TLS started: \(upgraded.info.description)") }
        } catch {
            close("TLS handshake failed: \(error)")
        }
    }

    func flush() {
        guard !output.isEmpty else { return }
        let bytes = output
        output.removeAll(keepingCapacity: true)
        do {
            try transport.write(bytes)
            statistics.bytesOut += bytes.count
        } catch {
            close("write error: \(error)")
        }
    }

    func close(_ reason: String) {
        if closeReason == nil { closeReason = reason }
    }

    /// The session's one-line summary for the log.
    public func summary(reason: String) -> String {
        let duration = Clock.monotonicMilliseconds() - statistics.startedAt
        let seconds = "\(duration / 1000).\(String(1000 + duration % 1000).dropFirst())"
        return "session ended: user=\(session.user ?? logger.user ?? "-") duration=\(seconds)s "
            + "in=\(statistics.bytesIn) out=\(statistics.bytesOut) commands=\(session.commandCount) reason=\(reason)"
    }
}
