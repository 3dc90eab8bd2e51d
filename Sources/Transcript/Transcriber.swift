/// A record before it is stamped with the time.
struct Entry: Equatable {
    var source: TranscriptRecord.Source
    var literalLength: Int?
    var text: String

    static func event(_ text: String) -> Entry { Entry(source: .event, text: text) }
}

/// Turns the bytes of both directions and the session's notes into transcript entries, redacting
/// the SASL exchange. Pure: no I/O, no clock.
///
/// Redaction does not wait for the session's `.saslBegin` note: the AUTHENTICATE command line (with
/// its initial response) is read, and recorded, before the session has parsed it. So the transcriber
/// recognises `AUTHENTICATE mechanism [initial-response]` itself (RFC 5804 §2.1) and redacts from the
/// initial response on, then every client line until the server's final OK/NO/BYE. The notes only
/// widen redaction (a `.saslBegin` the framing missed), never narrow it.
struct Transcriber {
    /// The mechanisms whose server challenges carry nothing secret (`""`, `Username:`, `Password:`).
    static let plainChallengeMechanisms: Set<String> = ["PLAIN", "LOGIN"]

    var client: TranscriptFramer
    var server: TranscriptFramer
    let maxLiteral: Int

    /// The previous client line ended in a literal header: the next line continues the same command.
    private var clientMidCommand = false
    /// The current client command is AUTHENTICATE.
    private var inAuthenticateCommand = false
    /// Within AUTHENTICATE, the mechanism argument has been read.
    private var mechanismRead = false
    /// Within AUTHENTICATE, the coming literal is the mechanism name.
    private var literalIsMechanism = false
    /// The coming client literal is a credential.
    private var redactNextClientLiteral = false
    /// The coming server literal is a challenge of a mechanism whose challenges are redacted.
    private var redactNextServerLiteral = false
    private var serverMidResponse = false
    /// A SASL exchange is running: it ends with the server's final OK/NO/BYE.
    private(set) var saslActive = false
    /// Client lines are SASL responses (credentials). Not after a complete PLAIN initial response,
    /// so a pipelining client's next commands stay readable; a server challenge turns it on again.
    private(set) var clientInSASL = false
    /// The AUTHENTICATE command being read carried an initial response.
    private var sawInitialResponse = false
    private(set) var mechanism: String?

    init(maxLiteral: Int) {
        self.maxLiteral = maxLiteral
        client = TranscriptFramer(maxLiteral: maxLiteral, allowsNonSynchronizing: true)
        server = TranscriptFramer(maxLiteral: maxLiteral, allowsNonSynchronizing: false)
    }

    // MARK: - Client

    mutating func clientBytes(_ bytes: some Collection<UInt8>) -> [Entry] {
        var entries: [Entry] = []
        for item in client.feed(bytes) {
            switch item {
            case .line(let line, let dropped):
                entries.append(Entry(source: .client, text: clientLine(line)))
                if dropped > 0 { entries.append(.event("line truncated: \(dropped) more bytes not recorded")) }
            case .literal(let kept, let length):
                entries += clientLiteral(kept, length: length)
            }
        }
        return entries
    }

    mutating func clientLiteral(_ kept: [UInt8], length: Int) -> [Entry] {
        if redactNextClientLiteral {
            redactNextClientLiteral = false
            return [Entry(source: .client, literalLength: length, text: Transcriber.redacted(length))]
        }
        if literalIsMechanism {
            literalIsMechanism = false
            mechanismRead = true
            mechanism = String(decoding: kept, as: UTF8.self).uppercased()
        }
        return literalEntries(.client, kept, length: length)
    }

    func literalEntries(_ source: TranscriptRecord.Source, _ kept: [UInt8], length: Int) -> [Entry] {
        var entries = [Entry(source: source, literalLength: length, text: TranscriptEscaping.escape(kept))]
        if kept.count < length {
            entries.append(.event("literal truncated: \(length - kept.count) more bytes not recorded"))
        }
        return entries
    }

    /// The text recorded for one client line (terminator included in `line`).
    mutating func clientLine(_ line: [UInt8]) -> String {
        let content = Transcriber.withoutCRLF(line)
        let header = TranscriptFramer.literalHeader(line, allowsNonSynchronizing: true)
        defer { clientMidCommand = header != nil }
        if !clientMidCommand {
            if clientInSASL {
                // A SASL response (RFC 5804 §2.1: a string, or "*" to cancel).
                if header != nil && content.first == 0x7B {
                    redactNextClientLiteral = true
                    return TranscriptEscaping.escape(content)
                }
                if content == Array("\"*\"".utf8) { return "\"*\"" }
                return Transcriber.redacted(content.count)
            }
            let word = content.prefix { $0 != 0x20 }
            inAuthenticateCommand = Transcriber.upper(word) == "AUTHENTICATE"
            guard inAuthenticateCommand else { return TranscriptEscaping.escape(content) }
            mechanismRead = false
            mechanism = nil
            sawInitialResponse = false
            let text = authenticateRest(content, from: word.count, header: header)
            if header == nil { startExchange() }
            return text
        }
        guard inAuthenticateCommand else { return TranscriptEscaping.escape(content) }
        let text = authenticateRest(content, from: 0, header: header)
        if header == nil { startExchange() }
        return text
    }

    /// The AUTHENTICATE command is complete.
    mutating func startExchange() {
        inAuthenticateCommand = false
        saslActive = true
        // RFC 4616: PLAIN is one message; after an initial response the client has nothing more to send.
        clientInSASL = !(sawInitialResponse && (mechanism == "PLAIN" || mechanism == "EXTERNAL"))
    }

    /// Records an AUTHENTICATE line from `start`: the mechanism stays, anything after it is redacted
    /// (a literal header stays visible and the literal itself is redacted).
    mutating func authenticateRest(_ content: [UInt8], from start: Int, header: Int?) -> String {
        var index = start
        if !mechanismRead {
            while index < content.count && content[index] == 0x20 { index += 1 }
            guard index < content.count else { return TranscriptEscaping.escape(content) }
            if content[index] == 0x7B {  // the mechanism is a literal
                literalIsMechanism = true
                return TranscriptEscaping.escape(content)
            }
            let (value, end) = Transcriber.token(content, at: index)
            mechanism = Transcriber.upper(value[...])
            mechanismRead = true
            index = end
        }
        var kept = Array(content[..<index])
        var rest = content[index...]
        while rest.first == 0x20 {
            kept.append(0x20)
            rest = rest.dropFirst()
        }
        guard !rest.isEmpty else { return TranscriptEscaping.escape(content) }
        sawInitialResponse = true
        if header != nil && rest.first == 0x7B && !rest.dropFirst().contains(0x20) {
            redactNextClientLiteral = true
            return TranscriptEscaping.escape(content)
        }
        return TranscriptEscaping.escape(kept) + Transcriber.redacted(rest.count)
    }

    // MARK: - Server

    mutating func serverBytes(_ bytes: some Collection<UInt8>) -> [Entry] {
        var entries: [Entry] = []
        for item in server.feed(bytes) {
            switch item {
            case .line(let line, let dropped):
                entries.append(Entry(source: .server, text: serverLine(line)))
                if dropped > 0 { entries.append(.event("line truncated: \(dropped) more bytes not recorded")) }
            case .literal(let kept, let length):
                if redactNextServerLiteral {
                    redactNextServerLiteral = false
                    entries.append(Entry(source: .server, literalLength: length, text: Transcriber.redacted(length)))
                } else {
                    entries += literalEntries(.server, kept, length: length)
                }
            }
        }
        return entries
    }

    mutating func serverLine(_ line: [UInt8]) -> String {
        let content = Transcriber.withoutCRLF(line)
        let header = TranscriptFramer.literalHeader(line, allowsNonSynchronizing: false)
        defer { serverMidResponse = header != nil }
        guard saslActive, !serverMidResponse else { return TranscriptEscaping.escape(content) }
        let word = Transcriber.upper(content.prefix { $0 != 0x20 && $0 != 0x28 })
        if word == "OK" || word == "NO" || word == "BYE" {
            saslActive = false
            clientInSASL = false
            return Transcriber.redactingSASLCode(content)
        }
        // A challenge: the client's next line answers it.
        clientInSASL = true
        if let mechanism, Transcriber.plainChallengeMechanisms.contains(mechanism) {
            return TranscriptEscaping.escape(content)
        }
        if header != nil {
            redactNextServerLiteral = true
            return TranscriptEscaping.escape(content)
        }
        return Transcriber.redacted(content.count)
    }

    // MARK: - Notes and the end

    mutating func note(_ event: TransportEventText) -> [Entry] {
        switch event {
        case .saslBegin(let name):
            if !saslActive {
                saslActive = true
                clientInSASL = true
                mechanism = name.uppercased()
            }
            return [.event("sasl begin mechanism=\(Transcriber.clean(name))")]
        case .saslEnd:
            return [.event("sasl end")]
        case .text(let text):
            return [.event(Transcriber.clean(text))]
        }
    }

    /// Whatever a direction left unfinished when the session ended.
    mutating func finish() -> [Entry] {
        var entries: [Entry] = []
        for source in [TranscriptRecord.Source.client, .server] {
            let rest = source == .client ? client.finish() : server.finish()
            let name = source == .client ? "client" : "server"
            if let line = rest.partialLine {
                let text: String
                if source == .client && clientInSASL && !clientMidCommand {
                    text = Transcriber.redacted(line.count)
                } else {
                    text = TranscriptEscaping.escape(line)
                }
                entries.append(Entry(source: source, text: text))
                entries.append(.event("\(name) line incomplete: no line end"))
            }
            if let literal = rest.partialLiteral {
                let redact = source == .client ? redactNextClientLiteral : redactNextServerLiteral
                let text = redact ? Transcriber.redacted(literal.received) : TranscriptEscaping.escape(literal.kept)
                entries.append(Entry(source: source, literalLength: literal.length, text: text))
                entries.append(.event("\(name) literal incomplete: \(literal.received) of \(literal.length) bytes"))
            }
        }
        return entries
    }

    // MARK: - Helpers

    static func redacted(_ count: Int) -> String { "<redacted \(count) bytes>" }

    static func withoutCRLF(_ line: [UInt8]) -> [UInt8] {
        if line.count >= 2 && line[line.count - 2] == 0x0D && line[line.count - 1] == 0x0A {
            return Array(line.dropLast(2))
        }
        return line  // a bare LF stays in the record as \n
    }

    static func upper(_ bytes: some Collection<UInt8>) -> String {
        String(decoding: bytes.map { (0x61...0x7A).contains($0) ? $0 - 0x20 : $0 }, as: UTF8.self)
    }

    /// A quoted string (RFC 5804 §4: `"` … `"` with `\` quoting) or an atom at `index`; returns its
    /// value and the index after it.
    static func token(_ bytes: [UInt8], at index: Int) -> (value: [UInt8], end: Int) {
        var value: [UInt8] = []
        var i = index
        if bytes[i] == 0x22 {
            i += 1
            while i < bytes.count {
                if bytes[i] == 0x5C && i + 1 < bytes.count {
                    value.append(bytes[i + 1])
                    i += 2
                    continue
                }
                if bytes[i] == 0x22 { return (value, i + 1) }
                value.append(bytes[i])
                i += 1
            }
            return (value, i)
        }
        while i < bytes.count && bytes[i] != 0x20 {
            value.append(bytes[i])
            i += 1
        }
        return (value, i)
    }

    /// `OK (SASL "…")` carries the server's final SASL message (SCRAM's server signature): redact it.
    static func redactingSASLCode(_ content: [UInt8]) -> String {
        let marker = Array("(SASL ".utf8)
        let upperContent = Array(upper(content).utf8)
        guard upperContent.count == content.count,
            let start = firstIndex(of: marker, in: upperContent)
        else { return TranscriptEscaping.escape(content) }
        let valueStart = start + marker.count
        guard valueStart < content.count, content[valueStart] == 0x22 else {
            return TranscriptEscaping.escape(content)
        }
        let (_, end) = token(content, at: valueStart)
        return TranscriptEscaping.escape(content[..<valueStart]) + redacted(end - valueStart)
            + TranscriptEscaping.escape(content[end...])
    }

    static func firstIndex(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where Array(haystack[start..<start + needle.count]) == needle {
            return start
        }
        return nil
    }

    /// Event text from the session (a reason, a user name): escaped so it stays one line.
    static func clean(_ text: String) -> String { TranscriptEscaping.escape(Array(text.utf8)) }
}

/// The parts of a session note the transcriber needs (kept apart from `TransportEvent` so the pure
/// logic is testable on its own).
enum TransportEventText: Equatable {
    case saslBegin(String)
    case saslEnd
    case text(String)
}
