import Auth
import Posix
import Transcript

struct ReplayError: Error {
    var message: String
    /// The transcript needs an option that was not given: a usage error, not an unreachable server.
    var isUsage = false
}

extension Error {
    var message: String { (self as? ReplayError)?.message ?? "\(self)" }
}

struct Replay {
    let records: [TranscriptRecord]
    let palette: Palette
    let user: String?
    var password: ReplayPassword
    let timeoutMilliseconds: Int
    /// How to verify the server after STARTTLS.
    var tls = ReplayTLS(caPath: nil, verify: true)
    var clientCursor = 0
    var serverCursor = 0
    var differences = 0
    /// Recorded server literal lines cut at rawlog_max_literal: a live line matches when it starts alike.
    var truncatedLines: Set<String> = []

    init(
        records: [TranscriptRecord], palette: Palette, user: String?, password: ReplayPassword,
        timeoutMilliseconds: Int
    ) {
        self.records = records
        self.palette = palette
        self.user = user
        self.password = password
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    /// One recorded command: its records and the octets to send.
    struct Command {
        var records: [TranscriptRecord]
        var bytes: [UInt8]
        var firstLine: String { records.first?.text ?? "" }
    }

    /// Replays everything; true when every answer matched.
    mutating func run(over channel: ReplayChannel) throws(ReplayError) -> Bool {
        let greeting = nextRecordedAnswer()
        let live = try readAnswer(channel)
        compare(recorded: greeting, live: live)
        while let command = try nextCommand() {
            let word = command.firstLine.prefix { $0 != " " }.uppercased()
            if word == "STARTTLS" {
                try startTLS(command, over: channel)
                continue
            }
            if word == "AUTHENTICATE" {
                try authenticate(command, over: channel)
                continue
            }
            try send(command, over: channel)
            let recorded = nextRecordedAnswer()
            if recorded.isEmpty { break }  // the original session ended before an answer
            let answer = try readAnswer(channel)
            compare(recorded: recorded, live: answer)
            if answer.last.map(Self.isBye) == true { break }
        }
        print(differences == 0 ? "replay: same answers" : "replay: \(differences) answer(s) differ")
        return differences == 0
    }

    // MARK: Recorded side

    /// The next client command (a line, and for each literal header the literal and the following line).
    mutating func nextCommand() throws(ReplayError) -> Command? {
        var command = Command(records: [], bytes: [])
        var expectLiteral = false
        while clientCursor < records.count {
            let record = records[clientCursor]
            clientCursor += 1
            if record.source == .event {
                let previous = clientCursor >= 2 ? records[clientCursor - 2] : record
                if record.text.hasPrefix("literal truncated") && previous.source == .client
                    && previous.literalLength != nil
                {
                    throw ReplayError(message: "a literal was truncated in the transcript (rawlog_max_literal)")
                }
                continue
            }
            guard record.source == .client else { continue }
            guard let bytes = TranscriptEscaping.unescape(Substring(record.text)) else {
                throw ReplayError(message: "malformed record: \(record.rendered)")
            }
            command.records.append(record)
            if record.literalLength != nil {
                command.bytes += bytes
                expectLiteral = false
                continue
            }
            command.bytes += bytes
            if bytes.last != 0x0A { command.bytes += [0x0D, 0x0A] }
            if Self.literalHeader(record.text) {
                expectLiteral = true
                continue
            }
            if !expectLiteral { return command }
        }
        return command.records.isEmpty ? nil : command
    }

    /// The next recorded server answer: records up to and including a final OK/NO/BYE line.
    mutating func nextRecordedAnswer() -> [String] {
        var lines: [String] = []
        var inLiteral = false
        var finalSeen = false
        while serverCursor < records.count {
            let record = records[serverCursor]
            serverCursor += 1
            guard record.source == .server else { continue }
            lines.append("\(record.marker): \(record.text)")
            if record.literalLength != nil {
                inLiteral = false
                if serverCursor < records.count, records[serverCursor].source == .event,
                    records[serverCursor].text.hasPrefix("literal truncated")
                {
                    truncatedLines.insert(lines[lines.count - 1])
                }
                continue
            }
            // A response line may go on after a literal: `NO {54}` literal CRLF ends with the empty rest.
            if !inLiteral && Self.isFinal(record.text) { finalSeen = true }
            inLiteral = Self.literalHeader(record.text)
            if finalSeen && !inLiteral { return lines }
        }
        return lines
    }

    /// Skips the client's recorded SASL responses (one per challenge in `answer`).
    mutating func skipRecordedSASLResponses(count: Int) throws(ReplayError) {
        for _ in 0..<count { _ = try nextCommand() }
    }

    // MARK: Live side

    func readAnswer(_ channel: ReplayChannel, stopAtChallenge: Bool = false) throws(ReplayError) -> [String] {
        var reader = AnswerReader()
        var buffer: [UInt8] = []
        while true {
            if let lines = reader.complete(stopAtChallenge: stopAtChallenge) { return lines }
            let result: ReadResult
            do {
                result = try channel.transport.read(
                    into: &buffer, maxCount: 65536, timeoutMilliseconds: timeoutMilliseconds)
            } catch {
                throw ReplayError(message: "read from the server: \(error)")
            }
            switch result {
            case .data:
                reader.feed(buffer)
                buffer.removeAll(keepingCapacity: true)
            case .eof:
                return reader.lines + reader.pending(ending: "(connection closed)")
            case .timeout:
                return reader.lines + reader.pending(ending: "(no answer within \(timeoutMilliseconds / 1000)s)")
            }
        }
    }

    /// A fresh PLAIN or LOGIN exchange in place of the recorded, redacted one; only the final
    /// responses are compared.
    mutating func authenticate(_ command: Command, over channel: ReplayChannel) throws(ReplayError) {
        let recorded = nextRecordedAnswer()
        let challenges = recorded.dropLast().filter { !$0.hasPrefix("S+") }.count
        try skipRecordedSASLResponses(count: challenges)
        let words = command.firstLine.split(separator: " ", maxSplits: 2)
        guard words.count >= 2 else { throw ReplayError(message: "cannot read \(command.firstLine)") }
        var quoted = words[1]
        while quoted.first == "\"" { quoted.removeFirst() }
        while quoted.last == "\"" { quoted.removeLast() }
        let mechanism = quoted.uppercased()
        guard let user else {
            throw ReplayError(
                message: "the transcript logs in with \(mechanism): give --user and a password (--password-file)",
                isUsage: true)
        }
        let password = try self.password.get(user: user)
        func b64(_ text: String) -> String { String(decoding: Base64.encode(Array(text.utf8)), as: UTF8.self) }
        func send(_ line: String) throws(ReplayError) {
            print(palette.paint("  C: \(line.hasPrefix("AUTHENTICATE") ? line : "<credentials>")", for: .client))
            try write(Array((line + "\r\n").utf8), over: channel)
        }
        var answer: [String]
        switch mechanism {
        case "PLAIN":
            let response = b64("\0\(user)\0\(password)")
            if words.count == 3 {
                try send("AUTHENTICATE \"PLAIN\" \"\(response)\"")
                answer = try readAnswer(channel, stopAtChallenge: true)
            } else {
                try send("AUTHENTICATE \"PLAIN\"")
                answer = try readAnswer(channel, stopAtChallenge: true)
                if answer.last.map(Self.isFinal) == false {
                    try send("\"\(response)\"")
                    answer = try readAnswer(channel, stopAtChallenge: true)
                }
            }
        case "LOGIN":
            try send("AUTHENTICATE \"LOGIN\"")
            answer = try readAnswer(channel, stopAtChallenge: true)
            for value in [user, password] where answer.last.map(Self.isFinal) == false {
                try send("\"\(b64(value))\"")
                answer = try readAnswer(channel, stopAtChallenge: true)
            }
        default:
            throw ReplayError(message: "cannot replay a \(mechanism) login (only PLAIN and LOGIN)")
        }
        compare(recorded: Array(recorded.suffix(1)), live: Array(answer.suffix(1)))
    }

    /// STARTTLS as recorded; when the server says OK now too, the TLS handshake (verified as `tls` says),
    /// then the capabilities the server sends inside TLS, compared with the recorded ones.
    mutating func startTLS(_ command: Command, over channel: ReplayChannel) throws(ReplayError) {
        try send(command, over: channel)
        let recorded = nextRecordedAnswer()
        let answer = try readAnswer(channel)
        compare(recorded: recorded, live: answer)
        guard let last = answer.last, last.uppercased().hasPrefix("S: OK") else {
            throw ReplayError(message: "the server refused STARTTLS; the rest of the session needs TLS")
        }
        try channel.startTLS(tls, timeoutMilliseconds: timeoutMilliseconds)
        print(palette.paint("  *: tls started \(channel.tlsSummary)", for: .event))
        compare(recorded: nextRecordedAnswer(), live: try readAnswer(channel))
    }

    // MARK: Comparison and display

    /// Shows a recorded command and sends it as it was recorded.
    func send(_ command: Command, over channel: ReplayChannel) throws(ReplayError) {
        show(command.records)
        try write(command.bytes, over: channel)
    }

    /// Writes to the server; a failure ends the replay.
    func write(_ bytes: [UInt8], over channel: ReplayChannel) throws(ReplayError) {
        do {
            try channel.transport.write(bytes)
        } catch {
            throw ReplayError(message: "write to the server: \(error)")
        }
    }

    func show(_ records: [TranscriptRecord]) {
        for record in records {
            print(palette.paint("  \(record.marker): \(record.text)", for: .client))
        }
    }

    mutating func compare(recorded: [String], live: [String]) {
        func same(_ old: String, _ new: String) -> Bool {
            old == new || (truncatedLines.contains(old) && new.hasPrefix(old))
        }
        if recorded.count == live.count && zip(recorded, live).allSatisfy(same) {
            for line in live { print(palette.paint("  \(line)", for: .server)) }
            return
        }
        differences += 1
        let common = zip(recorded, live).prefix { same($0, $1) }.count
        for line in live.prefix(common) { print(palette.paint("  \(line)", for: .server)) }
        for line in recorded.dropFirst(common) { print(palette.paint("- \(line)", code: "31")) }
        for line in live.dropFirst(common) { print(palette.paint("+ \(line)", code: "32;1")) }
    }

    static func isFinal(_ text: String) -> Bool {
        let word = text.prefix { $0 != " " && $0 != "(" }.uppercased()
        return word == "OK" || word == "NO" || word == "BYE"
    }

    static func isBye(_ line: String) -> Bool { line.uppercased().hasPrefix("S: BYE") }

    /// Whether an escaped line ends in a literal header `{N}` or `{N+}`.
    static func literalHeader(_ text: String) -> Bool {
        guard text.hasSuffix("}"), let open = text.lastIndex(of: "{") else { return false }
        var digits = text[text.index(after: open)..<text.index(before: text.endIndex)]
        if digits.hasSuffix("+") { digits = digits.dropLast() }
        return !digits.isEmpty && digits.allSatisfy(\.isASCII) && digits.allSatisfy(\.isNumber)
    }
}

/// Cuts a live server answer into the same `S: …` / `S+ N: …` lines a transcript holds.
struct AnswerReader {
    var lines: [String] = []
    private var bytes: [UInt8] = []
    private var done = false
    private var challenge = false
    private var finalSeen = false

    mutating func feed(_ data: [UInt8]) {
        bytes += data
        parse()
    }

    /// The answer once a final line (or, when asked, a SASL challenge line) has arrived.
    func complete(stopAtChallenge: Bool) -> [String]? {
        if done || (stopAtChallenge && challenge) { return lines }
        return nil
    }

    func pending(ending note: String) -> [String] {
        (bytes.isEmpty ? [] : ["S: \(TranscriptEscaping.escape(bytes))"]) + ["*: \(note)"]
    }

    private mutating func parse() {
        while !done {
            guard let newline = bytes.firstIndex(of: 0x0A) else { return }
            var line = Array(bytes[...newline])
            if line.count >= 2 && line[line.count - 2] == 0x0D { line.removeLast(2) }
            let text = TranscriptEscaping.escape(line)
            if Replay.literalHeader(text), let open = text.lastIndex(of: "{"),
                let length = Int(text[text.index(after: open)...].dropLast())
            {
                guard bytes.count >= newline + 1 + length else { return }
                lines.append("S: \(text)")
                let literal = Array(bytes[(newline + 1)..<(newline + 1 + length)])
                lines.append("S+ \(length): \(TranscriptEscaping.escape(literal))")
                bytes.removeFirst(newline + 1 + length)
                if Replay.isFinal(text) { finalSeen = true }
                continue
            }
            bytes.removeFirst(newline + 1)
            lines.append("S: \(text)")
            if finalSeen || Replay.isFinal(text) {
                done = true
            } else {
                challenge = true
            }
        }
    }
}
