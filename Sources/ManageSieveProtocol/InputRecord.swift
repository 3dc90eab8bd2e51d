// What the parser consumed, piece by piece, for session transcripts: the one place that decides which client
// octets are credentials is the parser that frames them, in the mode the session put it in.

/// One piece of client input as the parser consumed it: a line (with its line end) or a literal's content.
public struct InputRecord: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        /// A line segment, with its line end (CRLF or a bare LF) unless `incomplete`.
        case line
        /// A literal's content; `length` is the length its header declared.
        case literal(length: UInt64)
    }

    public var kind: Kind
    /// Octets that may be recorded as sent: a line's text before the withheld part, a literal's content.
    public var shown: [UInt8] = []
    /// Octets withheld because they belong to a SASL exchange (credentials): counted, never kept.
    public var withheld: Int = 0
    /// Octets of a line after the withheld part that may be recorded: a literal header and the line end.
    public var shownAfter: [UInt8] = []
    /// Octets neither shown nor withheld because a record is capped (64 KiB of a line, `recordLiteralCap`).
    public var dropped: UInt64 = 0
    /// The input ended (or the session did) before this piece was complete.
    public var incomplete = false
}

/// The recording side of `CommandParser`: what is kept of each piece, and whether it is a credential.
struct InputRecorder: Sendable {
    /// Octets of a line kept in its record.
    static let lineCap = 65536

    /// Where the command being received stands as far as credentials go.
    enum CommandState: Sendable, Equatable {
        /// Not an AUTHENTICATE command (or not known yet).
        case plain
        /// AUTHENTICATE whose mechanism is the coming literal: that literal is shown, the rest withheld.
        case mechanismLiteralNext
        /// Everything from here to the end of the command is a credential.
        case credentials
    }

    var literalCap: Int
    var records: [InputRecord] = []
    var command: CommandState = .plain
    /// The literal being received: its record so far, how many of its octets arrived, whether it is a credential.
    var literal: (record: InputRecord, received: UInt64, secret: Bool)?
    /// An over-long line being dropped: its record so far.
    var longLine: InputRecord?

    init(literalCap: Int) { self.literalCap = literalCap }

    /// A complete line segment (`raw` ends with its LF). `inSASL`: the parser reads a SASL response.
    mutating func line(_ raw: ArraySlice<UInt8>, first: Bool, inSASL: Bool) {
        var record = split(raw, first: first, inSASL: inSASL)
        if record.shown.count > Self.lineCap {
            record.dropped = UInt64(record.shown.count - Self.lineCap)
            record.shown.removeLast(record.shown.count - Self.lineCap)
        }
        records.append(record)
    }

    /// The first octets of a line too long to keep: the record keeps at most `lineCap`, counts the rest.
    mutating func longLineStarted(_ prefix: ArraySlice<UInt8>, first: Bool, inSASL: Bool) {
        var record = InputRecord(kind: .line)
        if inSASL || command != .plain || (first && Self.isAuthenticate(prefix)) {
            let name = first ? Self.nameEnd(prefix) : 0
            record.shown = Array(prefix.prefix(name))
            record.withheld = prefix.count - name
            command = .credentials
        } else {
            record.shown = Array(prefix.prefix(Self.lineCap))
            record.dropped = UInt64(prefix.count - record.shown.count)
        }
        longLine = record
    }

    /// More octets of the over-long line; `end` is its line end once it came (the line is then recorded).
    mutating func longLineContinued(_ bytes: ArraySlice<UInt8>, end: ArraySlice<UInt8>?) {
        guard var record = longLine else { return }
        if record.withheld > 0 {
            record.withheld += bytes.count
        } else {
            record.dropped += UInt64(bytes.count)
        }
        if let end {
            record.shownAfter = Array(end)
            records.append(record)
            longLine = nil
        } else {
            longLine = record
        }
    }

    /// A literal of `length` octets starts.
    mutating func literalStarted(length: UInt64, inSASL: Bool) {
        let secret = inSASL || command == .credentials
        if command == .mechanismLiteralNext { command = .credentials }
        literal = (InputRecord(kind: .literal(length: length)), 0, secret)
        if length == 0 { literalContent([]) }
    }

    /// Literal content as it arrives; the record is complete with its last octet.
    mutating func literalContent(_ bytes: ArraySlice<UInt8>) {
        guard var (record, received, secret) = literal, case .literal(let length) = record.kind else { return }
        received += UInt64(bytes.count)
        if secret {
            record.withheld += bytes.count
        } else {
            let room = max(0, literalCap - record.shown.count)
            record.shown += bytes.prefix(room)
            record.dropped += UInt64(max(0, bytes.count - room))
        }
        if received >= length {
            records.append(record)
            literal = nil
        } else {
            literal = (record, received, secret)
        }
    }

    /// The command has ended.
    mutating func commandEnded() { command = .plain }

    /// Everything pending is gone (STARTTLS discards what was pipelined behind it).
    mutating func reset() {
        command = .plain
        literal = nil
        longLine = nil
    }

    /// The records of what was left incomplete: a partial line (`rest`) or a literal cut short.
    mutating func finish(rest: ArraySlice<UInt8>, first: Bool, inSASL: Bool) -> [InputRecord] {
        var out: [InputRecord] = []
        if var (record, _, _) = literal {
            record.incomplete = true
            out.append(record)
        } else if var record = longLine {
            record.incomplete = true
            out.append(record)
        } else if !rest.isEmpty {
            var record = split(rest, first: first, inSASL: inSASL)
            record.incomplete = true
            out.append(record)
        }
        reset()
        return out
    }

    // MARK: - Deciding what is a credential

    /// A line's record: `AUTHENTICATE "MECHANISM"` shown and everything after it withheld; every SASL response
    /// withheld but the cancel `"*"`; a literal header and the line end always shown.
    mutating func split(_ raw: ArraySlice<UInt8>, first: Bool, inSASL: Bool) -> InputRecord {
        var contentEnd = raw.endIndex
        if contentEnd > raw.startIndex && raw[contentEnd - 1] == Ascii.lf { contentEnd -= 1 }
        if contentEnd > raw.startIndex && raw[contentEnd - 1] == Ascii.cr { contentEnd -= 1 }
        let header = LiteralHeader(endOf: raw[raw.startIndex..<contentEnd], truncated: false)
        let bodyEnd = header.kind == .none ? contentEnd : header.start
        let body = raw[raw.startIndex..<bodyEnd]
        var record = InputRecord(kind: .line, shownAfter: Array(raw[bodyEnd...]))
        if inSASL {
            let cancel =
                header.kind == .none
                && (body.elementsEqual([Ascii.quote, Ascii.asterisk, Ascii.quote])
                    || body.elementsEqual([Ascii.asterisk]))
            if cancel {
                record.shown = Array(body)
            } else {
                record.withheld = body.count
            }
            return record
        }
        if command == .plain && first && Self.isAuthenticate(body) {
            var visible = Self.nameEnd(body)
            var index = body.startIndex + visible
            if index < body.endIndex && body[index] == Ascii.space {
                index += 1
                if index == body.endIndex && header.kind != .none {
                    // The mechanism is the literal that follows.
                    visible = body.count
                    command = .mechanismLiteralNext
                } else if index < body.endIndex, body[index] == Ascii.quote,
                    let close = Self.quotedEnd(body, from: index)
                {
                    var end = close
                    while end < body.endIndex && body[end] == Ascii.space { end += 1 }
                    visible = end - body.startIndex
                    command = .credentials
                } else if let end = Self.mechanismAtomEnd(body, from: index) {
                    // Not a string, so the session refuses it; a bare mechanism name is still no secret.
                    var after = end
                    while after < body.endIndex && body[after] == Ascii.space { after += 1 }
                    visible = after - body.startIndex
                    command = .credentials
                } else {
                    command = .credentials
                }
            } else {
                command = .credentials
            }
            record.shown = Array(body.prefix(visible))
            record.withheld = body.count - visible
            return record
        }
        if command == .credentials {
            // The blank before an argument says nothing; the argument is withheld.
            let blanks = body.prefix { $0 == Ascii.space }.count
            record.shown = Array(body.prefix(blanks))
            record.withheld = body.count - blanks
        } else {
            record.shown = Array(body)
        }
        return record
    }

    static func isAuthenticate(_ bytes: ArraySlice<UInt8>) -> Bool {
        let name = bytes.prefix(nameEnd(bytes))
        return CommandName.recognise(name) == "AUTHENTICATE"
    }

    /// The length of the command name at the start of `bytes`.
    static func nameEnd(_ bytes: ArraySlice<UInt8>) -> Int {
        (bytes.firstIndex(of: Ascii.space) ?? bytes.endIndex) - bytes.startIndex
    }

    /// The end of a SASL mechanism name written as an atom (RFC 4422: 1 to 20 of A-Z, 0-9, "-", "_", here in any
    /// case) followed by a space or the end; nil when the word is anything else.
    static func mechanismAtomEnd(_ bytes: ArraySlice<UInt8>, from start: Int) -> Int? {
        var index = start
        while index < bytes.endIndex, bytes[index] != Ascii.space {
            let byte = bytes[index] | 0x20
            guard
                (byte >= 0x61 && byte <= 0x7A) || (bytes[index] >= 0x30 && bytes[index] <= 0x39)
                    || bytes[index] == Ascii.minus || bytes[index] == 0x5F
            else { return nil }
            index += 1
        }
        return index > start && index - start <= 20 ? index : nil
    }

    /// The index after the closing quote of the quoted string starting at `start`; nil when it does not end.
    static func quotedEnd(_ bytes: ArraySlice<UInt8>, from start: Int) -> Int? {
        var index = start + 1
        while index < bytes.endIndex {
            switch bytes[index] {
            case Ascii.backslash: index += 2
            case Ascii.quote: return index + 1
            default: index += 1
            }
        }
        return nil
    }
}
