import Glibc

/// Where log lines go.
public enum LogDestination: Equatable, Sendable {
    /// syslog(3) with this facility name (`mail`, `daemon`, `user`, `local0`…`local7`) and ident.
    case syslog(facility: String, ident: String)
    /// Lines appended to this file (`log_path`).
    case file(path: String)
    /// Nowhere (tests, `managesievectl` commands that log nothing).
    case discard
}

/// How serious a log line is; maps onto syslog priorities.
public enum LogLevel: Int, Comparable, Sendable, CaseIterable {
    case debug, info, notice, warning, error

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The level for a configuration value: `debug`, `info`, `notice`, `warning` (or `warn`), `error`
    /// (or `err`), in any case; nil when unknown.
    public init?(named name: String) {
        switch name.lowercased() {
        case "debug": self = .debug
        case "info": self = .info
        case "notice": self = .notice
        case "warning", "warn": self = .warning
        case "error", "err": self = .error
        default: return nil
        }
    }

    var syslogPriority: Int32 {
        switch self {
        case .debug: LOG_DEBUG
        case .info: LOG_INFO
        case .notice: LOG_NOTICE
        case .warning: LOG_WARNING
        case .error: LOG_ERR
        }
    }
}

/// The session's log. Every line carries the session context (`peer=… user=…: `), control characters
/// are escaped so a client-chosen name can never forge a line, and nothing is ever written to fd 0, 1
/// or 2, which carry protocol bytes only (DESIGN.md convention 11).
///
/// Create it before the privilege drop: syslog's socket is connected at once (LOG_NDELAY), while the process
/// may still reach /dev/log. A log file is opened at the first line instead (the connect line, after the
/// greeting, so a client does not wait for the open), and at the latest by `openNow()`, which
/// `Privileges.dropPermanently` calls: it is always opened with the privileges the process started with.
///
/// `@unchecked Sendable` because the server is one single-threaded process per connection and its one
/// logger is shared by every part of it; the mutable context (`peer`, `user`) is not locked, so a
/// program with threads must give each thread its own `Logger`.
public final class Logger: @unchecked Sendable {
    /// The client's address, shown on every line once set.
    public var peer: String?
    /// The logged-in (or claimed) user, shown on every line once set.
    public var user: String?
    /// Lines below this level are dropped.
    public var minimumLevel: LogLevel = .debug
    /// Where lines actually go: differs from the requested destination after a fallback to syslog.
    public var destination: LogDestination {
        openNow()
        return resolvedDestination
    }
    private var resolvedDestination: LogDestination

    /// The name used in file lines (`managesieved[pid]:`) and as the fallback syslog ident.
    let ident: String
    var sink: Sink

    /// The open state behind `destination`.
    enum Sink {
        /// syslog(3) with this facility code, already opened with openlog.
        case syslog(facility: Int32)
        /// An append-only log file on a descriptor above 2.
        case file(fd: Int32)
        /// A log file not opened yet (`openNow()`).
        case unopenedFile(path: String)
        /// Lines are dropped.
        case discard
    }

    /// The most octets of one message written; longer ones are cut and marked, so one line stays one
    /// write() and a hostile client cannot make the log grow by megabytes per line.
    static let maxMessageLength = 8192

    /// Opens syslog now, a log file at the first line (or `openNow()`). A log file that cannot be opened, or
    /// an unknown facility name, falls back to syslog (facility mail) and says so there.
    public init(destination: LogDestination, ident: String = "managesieved") {
        self.resolvedDestination = destination
        self.ident = ident
        self.sink = .discard
        switch destination {
        case .discard:
            sink = .discard
        case .syslog(let facilityName, let syslogIdent):
            if let facility = Logger.facility(named: facilityName) {
                sink = Logger.openSyslog(facility: facility, ident: syslogIdent)
            } else {
                fallBackToSyslog(because: "unknown syslog facility '\(facilityName)'", ident: syslogIdent)
            }
        case .file(let path):
            sink = .unopenedFile(path: path)
        }
    }

    /// Opens a log file not opened yet; nothing otherwise.
    public func openNow() {
        guard case .unopenedFile(let path) = sink else { return }
        switch Logger.openLogFile(path) {
        case .success(let fd):
            sink = .file(fd: fd)
        case .failure(let error):
            fallBackToSyslog(because: "cannot open log file: \(error)", ident: ident)
        }
    }

    deinit {
        if case .file(let fd) = sink { _ = Glibc.close(fd) }
    }

    /// The syslog facility code for a name as written in the configuration; nil when unknown.
    public static func facility(named name: String) -> Int32? {
        switch name.lowercased() {
        case "mail": LOG_MAIL
        case "daemon": LOG_DAEMON
        case "user": LOG_USER
        case "auth": LOG_AUTH
        case "authpriv": LOG_AUTHPRIV
        case "local0": LOG_LOCAL0
        case "local1": LOG_LOCAL1
        case "local2": LOG_LOCAL2
        case "local3": LOG_LOCAL3
        case "local4": LOG_LOCAL4
        case "local5": LOG_LOCAL5
        case "local6": LOG_LOCAL6
        case "local7": LOG_LOCAL7
        default: nil
        }
    }

    /// Logs `message` with the session context prefix.
    public func log(_ level: LogLevel, _ message: String) {
        guard level >= minimumLevel else { return }
        openNow()
        let text = Logger.sanitized(contextPrefix() + message)
        switch sink {
        case .discard, .unopenedFile:
            return
        case .syslog(let facility):
            text.withCString { pointer in
                withVaList([pointer]) { arguments in vsyslog(facility | level.syslogPriority, "%s", arguments) }
            }
        case .file(let fd):
            let stamp = Clock.iso8601(milliseconds: Clock.wallClockMilliseconds())
            Logger.writeLine(fd, Array("\(stamp) \(ident)[\(getpid())]: \(text)\n".utf8))
        }
    }

    public func debug(_ message: String) { log(.debug, message) }
    public func info(_ message: String) { log(.info, message) }
    public func notice(_ message: String) { log(.notice, message) }
    public func warning(_ message: String) { log(.warning, message) }
    public func error(_ message: String) { log(.error, message) }

    /// `peer=1.2.3.4:5678 user=bob: `, with each part only once known; empty when neither is.
    /// Plain concatenation: a generic `joined(separator:)` costs measurable start-up on every connection.
    func contextPrefix() -> String {
        var prefix = ""
        if let peer { prefix = "peer=" + peer }
        if let user { prefix += (prefix.isEmpty ? "user=" : " user=") + user }
        return prefix.isEmpty ? "" : prefix + ": "
    }

    /// Escapes control characters (CR, LF, NUL, ESC, DEL, C1) as `\xNN` and caps the length, so one
    /// message is one physical line of bounded size whatever a client put in it.
    static func sanitized(_ text: String) -> String {
        if isClean(text.utf8) { return text }
        var result = ""
        var length = 0
        for scalar in text.unicodeScalars {
            let value = scalar.value
            let piece: String
            if value < 0x20 || (0x7f...0x9f).contains(value) {
                let hex = String(value, radix: 16, uppercase: true)
                piece = "\\x" + (hex.count < 2 ? "0" + hex : hex)
            } else {
                piece = String(scalar)
            }
            length += piece.utf8.count
            if length > maxMessageLength {
                result += "…[truncated]"
                break
            }
            result += piece
        }
        return result
    }

    /// True when `sanitized` would return the text unchanged: short enough, and no C0 control, DEL or
    /// C1 control (U+0080…U+009F, encoded C2 80…C2 9F). The common case, checked without building a copy.
    private static func isClean(_ utf8: String.UTF8View) -> Bool {
        guard utf8.count <= maxMessageLength else { return false }
        var afterC2 = false
        for byte in utf8 {
            if byte < 0x20 || byte == 0x7F || (afterC2 && byte <= 0x9F) { return false }
            afterC2 = byte == 0xC2
        }
        return true
    }

    private func fallBackToSyslog(because reason: String, ident syslogIdent: String) {
        resolvedDestination = .syslog(facility: "mail", ident: syslogIdent)
        sink = Logger.openSyslog(facility: LOG_MAIL, ident: syslogIdent)
        log(.warning, "\(reason); logging to syslog (facility mail) instead")
    }

    /// openlog with LOG_PID|LOG_NDELAY: the /dev/log socket is connected now, before the privilege drop
    /// (and any chroot) could make it unreachable. No LOG_CONS or LOG_PERROR: never the console or fd 2.
    private static func openSyslog(facility: Int32, ident: String) -> Sink {
        // openlog keeps the pointer, so the ident must live as long as the process: strdup'ed and
        // deliberately never freed.
        openlog(strdup(ident), LOG_PID | LOG_NDELAY, facility)
        return .syslog(facility: facility)
    }

    /// Opens `path` for appending, mode 0640, close-on-exec; the descriptor is moved above 2 so that a
    /// log line can never reach the protocol stream even if fd 0–2 were closed when we started.
    private static func openLogFile(_ path: String) -> Result<Int32, SystemError> {
        let opened = path.withCString { cPath in
            SystemCall.retryingEINTR {
                open(cPath, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, mode_t(0o640))
            }
        }
        guard opened >= 0 else { return .failure(SystemError(operation: "open \(path)", errno: errno)) }
        guard opened <= 2 else { return .success(opened) }
        let moved = fcntl(opened, F_DUPFD_CLOEXEC, Int32(3))
        let code = errno
        _ = Glibc.close(opened)
        guard moved >= 0 else { return .failure(SystemError(operation: "fcntl \(path)", errno: code)) }
        return .success(moved)
    }

    /// One write() per line (with O_APPEND, concurrent sessions' lines do not interleave); the loop only
    /// matters after a signal or a full disk. Errors are dropped: logging must never end a session.
    private static func writeLine(_ fd: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = SystemCall.retryingEINTR { write(fd, raw.baseAddress! + offset, raw.count - offset) }
                if written <= 0 { return }
                offset += written
            }
        }
    }
}
