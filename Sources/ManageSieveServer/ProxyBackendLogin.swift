import Auth
import ManageSieveProtocol
import Posix

/// The front's side of a ManageSieve login to a backend (RFC 5804 §1.7, §2.1, §2.2): read the greeting,
/// STARTTLS when asked, then AUTHENTICATE "PLAIN" with an initial response. Every read is bounded by one
/// deadline (`proxy_timeout`), every response by `maxResponseBytes`.
struct ProxyBackendLogin {
    /// A status line's first word.
    enum Status: Equatable {
        case ok, no, bye
    }

    /// A backend response: the lines before the status line, and the status line itself.
    struct Reply {
        var lines: [[UInt8]]
        var status: Status
        var statusLine: [UInt8]
    }

    static let maxResponseBytes = 64 * 1024

    var transport: any PollableTransport
    let deadline: Deadline
    /// Received, not yet consumed.
    var buffer: [UInt8] = []

    init(transport: any PollableTransport, deadline: Deadline) {
        self.transport = transport
        self.deadline = deadline
    }

    /// Logs in; on success the transport to relay on (TLS after STARTTLS) and any bytes the backend sent after
    /// its OK (they belong to the client).
    static func login(
        over transport: any PollableTransport, target: ProxyTarget, credentials: ProxyCredentials, deadline: Deadline,
        xclient: [UInt8]? = nil, startTLS: (() throws(ProxyFailure) -> any PollableTransport)?
    ) throws(ProxyFailure) -> (transport: any PollableTransport, leftover: [UInt8]) {
        var login = ProxyBackendLogin(transport: transport, deadline: deadline)
        var greeting = try login.readReply(step: "waiting for the greeting")
        guard greeting.status == .ok else {
            throw .badResponse("greeting ends with \(Self.show(greeting.statusLine))")
        }
        if case .startTLS = target.security {
            guard Self.capabilities(greeting.lines)["STARTTLS"] != nil else { throw .startTLSUnavailable }
            try login.send(Array("STARTTLS\r\n".utf8))
            let reply = try login.readReply(step: "waiting for the STARTTLS answer")
            guard reply.status == .ok else { throw .badResponse("STARTTLS answered \(Self.show(reply.statusLine))") }
            guard let startTLS else { throw .unavailable("no TLS client in this process") }
            login.buffer.removeAll()  // nothing may be carried over from plaintext into TLS
            login.transport = try startTLS()
            // RFC 5804 §2.2: the server sends its capabilities again after the handshake.
            greeting = try login.readReply(step: "waiting for the capabilities after STARTTLS")
            guard greeting.status == .ok else {
                throw .badResponse("capabilities after STARTTLS end with \(Self.show(greeting.statusLine))")
            }
        }
        // A backend that offers XCLIENT (ours or Dovecot's, to a trusted front) learns the real client and the
        // hops left, so that a login going round in circles ends (Session.beginRelay).
        if let xclient, Self.capabilities(greeting.lines)["XCLIENT"] != nil {
            try login.send(xclient)
            let reply = try login.readReply(step: "waiting for the XCLIENT answer")
            guard reply.status == .ok else { throw .badResponse("XCLIENT answered \(Self.show(reply.statusLine))") }
        }
        if let sasl = Self.capabilities(greeting.lines)["SASL"] ?? nil {
            let mechanisms = sasl.uppercased().split(separator: " ")
            guard mechanisms.contains("PLAIN") else { throw .badResponse("backend offers no SASL PLAIN (\(sasl))") }
        }
        let initial = Base64.encode(credentials.plainMessage)
        try login.send(Array("AUTHENTICATE \"PLAIN\" \"".utf8) + initial + Array("\"\r\n".utf8))
        let reply = try login.readReply(step: "waiting for the login answer")
        switch reply.status {
        case .ok:
            return (login.transport, login.buffer)
        case .no, .bye:
            throw .loginRefused(Self.show(reply.statusLine))
        }
    }

    mutating func send(_ bytes: [UInt8]) throws(ProxyFailure) {
        do {
            try transport.write(bytes)
        } catch {
            throw .closed(step: "while sending (\(error))")
        }
    }

    /// Reads lines up to and including a status line (`OK`, `NO`, `BYE`). A line ending in a literal header
    /// `{N}` / `{N+}` continues after N octets.
    mutating func readReply(step: String) throws(ProxyFailure) -> Reply {
        var lines: [[UInt8]] = []
        var total = 0
        while true {
            let line = try readLogicalLine(step: step)
            total += line.count
            if total > Self.maxResponseBytes {
                throw .badResponse("response longer than \(Self.maxResponseBytes) octets")
            }
            if let status = Self.status(of: line) {
                return Reply(lines: lines, status: status, statusLine: line)
            }
            guard line.first == UInt8(ascii: "\"") || line.first == UInt8(ascii: "{") else {
                throw .badResponse("not a ManageSieve response: \(Self.show(line))")
            }
            lines.append(line)
        }
    }

    /// One line without its CRLF, literals included.
    mutating func readLogicalLine(step: String) throws(ProxyFailure) -> [UInt8] {
        var line: [UInt8] = []
        while true {
            let segment = try readRawLine(step: step)
            line += segment
            guard let count = Self.literalLength(atEndOf: segment) else { return line }
            guard count <= Self.maxResponseBytes else { throw .badResponse("literal of \(count) octets") }
            try fill(count, step: step)
            line += [0x0D, 0x0A] + buffer.prefix(count)
            buffer.removeFirst(count)
        }
    }

    mutating func readRawLine(step: String) throws(ProxyFailure) -> [UInt8] {
        var scanned = 0
        while true {
            if let lf = buffer[scanned...].firstIndex(of: 0x0A) {
                var line = Array(buffer[..<lf])
                buffer.removeFirst(lf + 1)
                if line.last == 0x0D { line.removeLast() }
                return line
            }
            scanned = buffer.count
            if buffer.count > Self.maxResponseBytes {
                throw .badResponse("line longer than \(Self.maxResponseBytes) octets")
            }
            try readMore(step: step)
        }
    }

    mutating func fill(_ count: Int, step: String) throws(ProxyFailure) {
        while buffer.count < count { try readMore(step: step) }
    }

    mutating func readMore(step: String) throws(ProxyFailure) {
        let result: ReadResult
        do {
            result = try transport.read(
                into: &buffer, maxCount: 16384, timeoutMilliseconds: deadline.remainingMilliseconds)
        } catch {
            throw .closed(step: "\(step) (\(error))")
        }
        switch result {
        case .data: return
        case .eof: throw .closed(step: step)
        case .timeout: throw .timeout(step: step)
        }
    }

    /// `OK`, `NO` or `BYE` as the line's first word (case-insensitive, RFC 5804 §4 `response-ok` etc.).
    static func status(of line: [UInt8]) -> Status? {
        let word = line.prefix { $0 != 0x20 }.map { $0 | 0x20 }
        switch word {
        case Array("ok".utf8): return .ok
        case Array("no".utf8): return .no
        case Array("bye".utf8): return .bye
        default: return nil
        }
    }

    /// N for a line ending in `{N}` or `{N+}`.
    static func literalLength(atEndOf line: [UInt8]) -> Int? {
        guard line.last == UInt8(ascii: "}"), let open = line.lastIndex(of: UInt8(ascii: "{")) else { return nil }
        var digits = line[(open + 1)..<(line.count - 1)]
        if digits.last == UInt8(ascii: "+") { digits = digits.dropLast() }
        guard !digits.isEmpty, digits.count <= 9, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(String(decoding: digits, as: UTF8.self))
    }

    /// Capability lines (`"NAME" ["value"]`) by upper-case name; the value is nil when absent.
    static func capabilities(_ lines: [[UInt8]]) -> [String: String?] {
        var result: [String: String?] = [:]
        for line in lines {
            let strings = quotedStrings(line)
            guard let name = strings.first else { continue }
            result[name.uppercased()] = strings.count > 1 ? strings[1] : nil
        }
        return result
    }

    /// The quoted strings of a line, in order (`\"` and `\\` unescaped).
    static func quotedStrings(_ line: [UInt8]) -> [String] {
        var strings: [String] = []
        var current: [UInt8]? = nil
        var escaped = false
        for byte in line {
            if var text = current {
                if escaped {
                    text.append(byte)
                    escaped = false
                    current = text
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    strings.append(String(decoding: text, as: UTF8.self))
                    current = nil
                } else {
                    text.append(byte)
                    current = text
                }
            } else if byte == UInt8(ascii: "\"") {
                current = []
            }
        }
        return strings
    }

    /// A line for the log: printable ASCII only, at most 120 characters.
    static func show(_ line: [UInt8]) -> String {
        let printable = line.prefix(120).map { $0 >= 0x20 && $0 < 0x7F ? Character(UnicodeScalar($0)) : "?" }
        return String(printable) + (line.count > 120 ? "…" : "")
    }
}
