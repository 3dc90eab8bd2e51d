import Posix

/// A record before it is stamped with the time.
struct Entry: Equatable {
    var source: TranscriptRecord.Source
    var literalLength: Int?
    var text: String

    static func event(_ text: String) -> Entry { Entry(source: .event, text: text) }
}

/// Turns the session's input records, the server's bytes and the session's notes into transcript entries.
/// Pure: no I/O, no clock.
///
/// The client side is not framed here: the session's own parser hands over each piece it consumed, with
/// whatever belongs to a SASL exchange already withheld (`ClientInput`), so one parser decides what a
/// credential is. The server side is the server's own output, framed into lines and literals; between the
/// session's `.saslBegin` and `.saslEnd` notes its challenges are redacted (except PLAIN's and LOGIN's, which
/// carry nothing), and a `(SASL "…")` code in a status line always is.
struct Transcriber {
    /// The mechanisms whose server challenges carry nothing secret (`""`, `Username:`, `Password:`).
    static let plainChallengeMechanisms: Set<String> = ["PLAIN", "LOGIN"]

    var server: TranscriptFramer
    let maxLiteral: Int

    /// The coming server literal is a challenge of a mechanism whose challenges are redacted.
    private var redactNextServerLiteral = false
    private var serverMidResponse = false
    /// A SASL exchange is running (between the session's saslBegin and saslEnd notes).
    private(set) var saslActive = false
    private(set) var mechanism: String?

    init(maxLiteral: Int) {
        self.maxLiteral = maxLiteral
        server = TranscriptFramer(maxLiteral: maxLiteral, allowsNonSynchronizing: false)
    }

    /// TLS has started: nothing of the plaintext phase carries over.
    mutating func reset() {
        self = Transcriber(maxLiteral: maxLiteral)
    }

    // MARK: - Client

    /// The entries for one piece of client input, as the parser recorded it.
    func clientInput(_ input: ClientInput) -> [Entry] {
        var entries: [Entry] = []
        if let length = input.literalLength {
            let count = Int(clamping: length)
            let text =
                input.withheld > 0 ? Transcriber.redacted(input.withheld) : TranscriptEscaping.escape(input.shown)
            entries.append(Entry(source: .client, literalLength: count, text: text))
            if input.incomplete {
                let received = UInt64(input.withheld + input.shown.count) + input.dropped
                entries.append(.event("client literal incomplete: \(received) of \(length) bytes"))
            } else if input.dropped > 0 {
                entries.append(.event("literal truncated: \(input.dropped) more bytes not recorded"))
            }
            return entries
        }
        var shown = input.shown
        var after = input.shownAfter
        if !after.isEmpty { after = Transcriber.withoutCRLF(after) } else { shown = Transcriber.withoutCRLF(shown) }
        var text = TranscriptEscaping.escape(shown)
        if input.withheld > 0 { text += Transcriber.redacted(input.withheld) }
        text += TranscriptEscaping.escape(after)
        entries.append(Entry(source: .client, text: text))
        if input.dropped > 0 {
            entries.append(.event("line truncated: \(input.dropped) more bytes not recorded"))
        }
        if input.incomplete { entries.append(.event("client line incomplete: no line end")) }
        return entries
    }

    func literalEntries(_ source: TranscriptRecord.Source, _ kept: [UInt8], length: Int) -> [Entry] {
        var entries = [Entry(source: source, literalLength: length, text: TranscriptEscaping.escape(kept))]
        if kept.count < length {
            entries.append(.event("literal truncated: \(length - kept.count) more bytes not recorded"))
        }
        return entries
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
        guard !serverMidResponse else { return TranscriptEscaping.escape(content) }
        let word = Transcriber.upper(content.prefix { $0 != 0x20 && $0 != 0x28 })
        if word == "OK" || word == "NO" || word == "BYE" {
            return Transcriber.redactingSASLCode(content)
        }
        guard saslActive else { return TranscriptEscaping.escape(content) }
        // A challenge.
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
            saslActive = true
            mechanism = name.uppercased()
            return [.event("sasl begin mechanism=\(Transcriber.clean(name))")]
        case .saslEnd:
            saslActive = false
            return [.event("sasl end")]
        case .text(let text):
            return [.event(Transcriber.clean(text))]
        }
    }

    /// Whatever the server's direction left unfinished when the session ended (the client's comes from the
    /// parser's records).
    mutating func finish() -> [Entry] {
        var entries: [Entry] = []
        let rest = server.finish()
        if let line = rest.partialLine {
            entries.append(Entry(source: .server, text: TranscriptEscaping.escape(line)))
            entries.append(.event("server line incomplete: no line end"))
        }
        if let literal = rest.partialLiteral {
            let text =
                redactNextServerLiteral
                ? Transcriber.redacted(literal.received) : TranscriptEscaping.escape(literal.kept)
            entries.append(Entry(source: .server, literalLength: literal.length, text: text))
            entries.append(.event("server literal incomplete: \(literal.received) of \(literal.length) bytes"))
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
