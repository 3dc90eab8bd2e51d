// RFC 5804 §4: an incremental, bounded parser for client commands.
//
// Framing first, grammar second (as swift-nio-imap does): a command is a line; when the line ends with a
// literal header `{N+}` or `{N}`, N octets of literal content follow and the line continues after them,
// until a line ends without a literal header. Only then does the grammar (CommandParser+Grammar.swift)
// look at the command. ManageSieve has no continuation request, so `{N}` from a client is read on at once.
//
// Every buffer has a cap: the command text is bounded by `maxLineLength`, a command keeps at most two
// literals, each bounded by `maxScriptSize` or `maxOtherLiteralSize`; anything beyond is counted and
// dropped, never buffered, and the whole command is refused only after all of it has been consumed, so a
// refused command's literal is never read as a new command.

/// Turns the client's byte stream into `ParseEvent`s.
///
/// Append every chunk read from the connection with `append(_:)`, then call `next()` until it returns nil
/// (nil means: more bytes are needed). After a `.fatal` event the parser stops: `next()` returns nil and
/// further input is ignored; the server answers BYE and closes.
public struct CommandParser: Sendable {
    /// The limits for the next bytes parsed; may be changed between commands (e.g. after login).
    public var limits: ParserLimits

    /// Received bytes; `buffer[readIndex...]` are not consumed yet.
    private var buffer: [UInt8] = []
    private var readIndex = 0
    private var state: State = .line(scanned: 0)
    private var mode: Mode = .command
    private var pending = PendingCommand()
    private var failed = false
    /// Keeps a record of every consumed piece for transcripts; nil (the default) records nothing.
    private var recorder: InputRecorder?

    /// Where the framer is within the current command.
    private enum State: Sendable, Equatable {
        /// Reading a line segment kept in `buffer` from `readIndex`; its first `scanned` bytes hold no LF.
        case line(scanned: Int)
        /// Dropping an over-long line segment; `tail` keeps its last bytes so that a literal header ending the
        /// line is still recognised; `truncated` says bytes before `tail` were dropped.
        case discardingLine(tail: [UInt8], truncated: Bool)
        /// Receiving literal content: `remaining` octets still to come; appended to the last literal if `keep`.
        case literal(remaining: UInt64, keep: Bool)
    }

    /// What the next complete line means.
    private enum Mode: Sendable, Equatable {
        /// A command (RFC 5804 §2).
        case command
        /// A client response during AUTHENTICATE (RFC 5804 §2.1).
        case saslResponse
    }

    /// The command being received.
    struct PendingCommand: Sendable {
        /// The command's non-literal bytes: line ends and literal headers removed.
        var text: [UInt8] = []
        /// For each literal, the offset in `text` at which it stands.
        var literalOffsets: [Int] = []
        /// The kept literals' content.
        var literals: [[UInt8]] = []
        /// The first line segment was seen (its name is known).
        var started = false
        /// The command name as sent (at most 64 octets), for `unknownCommand`.
        var rawName: [UInt8] = []
        /// The recognised upper-case command name.
        var name: String?
        /// Why the command is refused; once set, nothing more of it is buffered.
        var refusal: ProtocolError?

        var heldBytes: Int { text.count + literals.reduce(0) { $0 + $1.count } }
    }

    /// Bytes of the tail kept from a discarded line: enough for the longest valid literal header
    /// (`{` + 20 digits + `+}` = 23 octets) and a CR.
    private static let tailLength = 32
    /// Largest initial reservation for a literal; it grows as its bytes arrive.
    private static let literalReservation = 65536
    /// Most literals a well-formed command has (PUTSCRIPT, RENAMESCRIPT, AUTHENTICATE: two).
    private static let maxLiteralsPerCommand = 2

    public init(limits: ParserLimits = ParserLimits()) {
        self.limits = limits
    }

    // MARK: - Input

    /// Adds bytes read from the client.
    public mutating func append(_ bytes: some Collection<UInt8>) {
        if failed { return }
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// Adds bytes read from the client.
    public mutating func append(_ bytes: [UInt8]) {
        if failed { return }
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// Adds bytes read from the client.
    public mutating func append(_ bytes: ArraySlice<UInt8>) {
        if failed { return }
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// The next client line is a SASL response (RFC 5804 §2.1): a string, or `"*"` to cancel.
    /// After the resulting event the parser is back in command mode.
    public mutating func expectSASLResponse() {
        mode = .saslResponse
    }

    /// Bytes of an incomplete command are held (the server then applies its shorter timeout).
    public var hasPartialInput: Bool {
        buffer.count > readIndex || pending.started || state != .line(scanned: 0)
    }

    /// Octets held in memory: the receive buffer and the pending command. Stays bounded whatever is sent.
    public var bufferedByteCount: Int {
        var count = buffer.count + pending.heldBytes
        if case .discardingLine(let tail, _) = state {
            count += tail.count
        }
        return count
    }

    /// Drops everything received but not yet parsed and returns how many octets that was.
    /// STARTTLS (RFC 5804 §2.2): bytes pipelined after the STARTTLS line must not be taken as sent over TLS.
    public mutating func discardBufferedInput() -> Int {
        let count = buffer.count - readIndex + pending.heldBytes
        recorder?.reset()
        buffer = []
        readIndex = 0
        pending = PendingCommand()
        state = .line(scanned: 0)
        return count
    }

    /// Hands over the raw octets received but not yet parsed, and empties the parser. The login proxy
    /// forwards them to the backend: a client may pipeline commands right after its AUTHENTICATE.
    public mutating func takeBufferedInput() -> [UInt8] {
        let rest = Array(buffer[readIndex...])
        _ = discardBufferedInput()
        return rest
    }

    // MARK: - Recording (transcripts)

    /// From now on, every piece of input the parser consumes is kept as an `InputRecord` (take them with
    /// `takeRecords`), with what belongs to a SASL exchange withheld: the parser decides it from its own framing
    /// and the mode the session set (`expectSASLResponse`). A literal keeps at most `literalCap` octets.
    public mutating func startRecording(literalCap: Int) {
        recorder = InputRecorder(literalCap: max(0, literalCap))
    }

    /// The records of the pieces completed since the last call.
    public mutating func takeRecords() -> [InputRecord] {
        guard recorder != nil, !(recorder?.records.isEmpty ?? true) else { return [] }
        defer { recorder?.records.removeAll() }
        return recorder?.records ?? []
    }

    /// The records of the pieces completed so far and of what is left incomplete (the session is ending).
    public mutating func finishRecording() -> [InputRecord] {
        guard recorder != nil else { return [] }
        var rest: ArraySlice<UInt8> = []
        if case .line = state { rest = buffer[readIndex...] }
        let incomplete =
            recorder?.finish(rest: rest, first: !pending.started, inSASL: mode == .saslResponse) ?? []
        return takeRecords() + incomplete
    }

    // MARK: - Framing

    /// The next event, or nil when more bytes are needed.
    public mutating func next() -> ParseEvent? {
        if failed { return nil }
        while true {
            switch state {
            case .line(let scanned):
                let start = readIndex
                let first = !pending.started
                guard let lf = firstLF(from: start + scanned) else {
                    let available = buffer.count - start
                    // A CR at the end may be the start of the line end: it does not count yet.
                    let lineBytes = buffer.last == Ascii.cr ? available - 1 : available
                    if pending.text.count + lineBytes > limits.maxLineLength {
                        // Too long: keep only the name (if this is the first segment) and the tail.
                        if !pending.started {
                            noteName(buffer[start..<buffer.count])
                        }
                        refuse(.lineTooLong(limit: limits.maxLineLength))
                        recorder?.longLineStarted(
                            buffer[start..<buffer.count], first: first, inSASL: mode == .saslResponse)
                        let tail = Array(buffer[start..<buffer.count].suffix(Self.tailLength))
                        state = .discardingLine(tail: tail, truncated: available > tail.count)
                        readIndex = buffer.count
                        compact()
                        return nil
                    }
                    state = .line(scanned: available)
                    return nil
                }
                var end = lf
                if end > start && buffer[end - 1] == Ascii.cr {
                    end -= 1
                }
                let segment = buffer[start..<end]
                recorder?.line(buffer[start...lf], first: first, inSASL: mode == .saslResponse)
                readIndex = lf + 1
                if !pending.started {
                    noteName(segment)
                }
                let header: LiteralHeader
                if pending.text.count + segment.count > limits.maxLineLength {
                    refuse(.lineTooLong(limit: limits.maxLineLength))
                    // Look only at what `.discardingLine` would have kept, so that the result does not
                    // depend on how the bytes were split into reads.
                    let raw = buffer[start..<lf]
                    var tail = raw.suffix(Self.tailLength)
                    if tail.last == Ascii.cr {
                        tail = tail.dropLast()
                    }
                    header = LiteralHeader(endOf: tail, truncated: raw.count > Self.tailLength)
                } else {
                    header = LiteralHeader(endOf: segment, truncated: false)
                }
                if pending.refusal == nil {
                    pending.text.append(contentsOf: segment[start..<header.start])
                }
                if let event = endSegment(header) {
                    return event
                }

            case .discardingLine(var tail, var truncated):
                let lf = firstLF(from: readIndex)
                let end = lf ?? buffer.count
                let dropped = buffer[readIndex..<end]
                if dropped.count > Self.tailLength {
                    truncated = true
                }
                tail.append(contentsOf: dropped.suffix(Self.tailLength))
                if tail.count > Self.tailLength {
                    tail.removeFirst(tail.count - Self.tailLength)
                    truncated = true
                }
                recorder?.longLineContinued(dropped, end: lf.map { buffer[$0...$0] })
                guard let lf else {
                    readIndex = buffer.count
                    state = .discardingLine(tail: tail, truncated: truncated)
                    compact()
                    return nil
                }
                readIndex = lf + 1
                if tail.last == Ascii.cr {
                    tail.removeLast()
                }
                let header = LiteralHeader(endOf: tail[...], truncated: truncated)
                if let event = endSegment(header) {
                    return event
                }

            case .literal(let remaining, let keep):
                let available = buffer.count - readIndex
                if available == 0 {
                    return nil
                }
                let count = Int(min(UInt64(available), remaining))
                recorder?.literalContent(buffer[readIndex..<readIndex + count])
                if keep {
                    pending.literals[pending.literals.count - 1].append(
                        contentsOf: buffer[readIndex..<readIndex + count])
                }
                readIndex += count
                let left = remaining - UInt64(count)
                if left > 0 {
                    state = .literal(remaining: left, keep: keep)
                    compact()
                    return nil
                }
                state = .line(scanned: 0)
            }
        }
    }

    /// A line segment has ended: start its literal, or finish the command.
    private mutating func endSegment(_ header: LiteralHeader) -> ParseEvent? {
        switch header.kind {
        case .none:
            return finishCommand()
        case .malformed:
            failed = true
            return .fatal(.malformedLiteral)
        case .literal(let length):
            let (limit, isScript) = literalLimit()
            let commandName = pending.name ?? ""
            let tooLarge: ProtocolError =
                isScript
                ? .literalTooLarge(command: commandName, declared: length, limit: limit)
                : .stringTooLong(command: commandName, limit: limit)
            if length > limits.maxDiscardableLiteral {
                failed = true
                return .fatal(tooLarge)
            }
            var keep = pending.refusal == nil
            if keep && length > UInt64(limit) {
                refuse(tooLarge)
                keep = false
            }
            let maxLiterals = mode == .command ? Self.maxLiteralsPerCommand : 1
            if keep && pending.literals.count >= maxLiterals {
                refuseArguments("too many arguments")
                keep = false
            }
            if keep {
                pending.literalOffsets.append(pending.text.count)
                var content: [UInt8] = []
                content.reserveCapacity(Int(min(length, UInt64(Self.literalReservation))))
                pending.literals.append(content)
            }
            recorder?.literalStarted(length: length, inSASL: mode == .saslResponse)
            state = length == 0 ? .line(scanned: 0) : .literal(remaining: length, keep: keep)
            return nil
        }
    }

    /// The command has been consumed entirely: parse it and reset for the next.
    private mutating func finishCommand() -> ParseEvent {
        let command = pending
        let wasMode = mode
        recorder?.commandEnded()
        pending = PendingCommand()
        state = .line(scanned: 0)
        mode = .command
        compact()
        switch wasMode {
        case .command:
            if let refusal = command.refusal {
                return .invalid(refusal, command: command.name)
            }
            var grammar = CommandGrammar(command, limits: limits)
            return grammar.parseCommand()
        case .saslResponse:
            if let refusal = command.refusal {
                return .invalid(refusal, command: "AUTHENTICATE")
            }
            var grammar = CommandGrammar(command, limits: limits)
            return grammar.parseSASLResponse()
        }
    }

    /// Records the first reason a command is refused; from then on nothing of it is buffered.
    private mutating func refuse(_ error: ProtocolError) {
        if pending.refusal == nil {
            pending.refusal = error
            pending.text = []
            pending.literals = []
            pending.literalOffsets = []
        }
    }

    /// Refuses the command for its arguments, naming it as the grammar would.
    private mutating func refuseArguments(_ reason: String) {
        switch mode {
        case .saslResponse:
            refuse(.badSASLResponse)
        case .command:
            if let name = pending.name {
                refuse(.badArguments(command: name, reason: reason))
            } else if pending.rawName.isEmpty {
                refuse(.emptyCommand)
            } else {
                refuse(.unknownCommand(pending.rawName))
            }
        }
    }

    /// Remembers the command name from the start of its first line segment.
    private mutating func noteName(_ bytes: ArraySlice<UInt8>) {
        pending.started = true
        guard mode == .command else {
            pending.name = "AUTHENTICATE"
            return
        }
        let end = bytes.firstIndex(of: Ascii.space) ?? bytes.endIndex
        let name = bytes[bytes.startIndex..<end]
        // Never more than an over-long line's first bytes, so that the result does not depend on the reads.
        pending.rawName = Array(name.prefix(min(64, limits.maxLineLength)))
        pending.name = name.count <= 64 ? CommandName.recognise(name) : nil
    }

    /// The largest literal the current command may carry, and whether it is a script.
    private func literalLimit() -> (Int, Bool) {
        switch pending.name {
        case "PUTSCRIPT", "CHECKSCRIPT":
            (limits.maxScriptSize, true)
        default:
            (limits.maxOtherLiteralSize, false)
        }
    }

    private func firstLF(from index: Int) -> Int? {
        buffer.withUnsafeBufferPointer { pointer in
            var i = index
            let count = pointer.count
            while i < count {
                if pointer[i] == Ascii.lf {
                    return i
                }
                i += 1
            }
            return nil
        }
    }

    /// Reclaims consumed bytes now and then, so that the buffer neither grows nor is copied on every read.
    private mutating func compact() {
        if readIndex == buffer.count {
            if buffer.capacity > 4 * Self.literalReservation + limits.maxLineLength {
                buffer = []
            } else {
                buffer.removeAll(keepingCapacity: true)
            }
            readIndex = 0
        } else if readIndex >= Self.literalReservation && readIndex * 2 >= buffer.count {
            buffer.removeSubrange(0..<readIndex)
            readIndex = 0
        }
    }
}

/// A literal header at the end of a line segment: `"{" number-str ["+"] "}"`.
struct LiteralHeader: Equatable {
    enum Kind: Equatable {
        /// The line does not end with a literal header.
        case none
        /// It ends with something that claims to be a literal header but is not a valid one; the stream can't
        /// be framed any more.
        case malformed
        /// A valid header announcing `length` octets.
        case literal(length: UInt64)
    }

    var kind: Kind
    /// Where the header starts in the segment (the segment's end when there is none).
    var start: Int

    /// RFC 5804 §4:
    ///     literal-c2s = "{" number-str "+}" CRLF *OCTET
    ///     literal-s2c = "{" number-str "}" CRLF *OCTET
    ///     number-str  = 1*DIGIT
    /// We also refuse leading zeros (other than "0" itself), more than 20 digits and values above UInt64.max;
    /// `{}`, `{+}`, `{-1}` are malformed. `truncated` says the bytes before `segment` are gone: if the run of
    /// header characters reaches its start, we cannot tell, so the header is taken as malformed.
    init(endOf segment: ArraySlice<UInt8>, truncated: Bool) {
        start = segment.endIndex
        kind = .none
        guard let last = segment.last, last == Ascii.closeBrace else {
            return
        }
        let close = segment.endIndex - 1
        var runStart = close
        while runStart > segment.startIndex, Self.isHeaderCharacter(segment[runStart - 1]) {
            runStart -= 1
        }
        guard runStart > segment.startIndex else {
            if truncated {
                kind = .malformed
                start = segment.startIndex
            }
            return
        }
        guard segment[runStart - 1] == Ascii.openBrace else {
            return
        }
        start = runStart - 1
        var digits = segment[runStart..<close]
        if digits.last == Ascii.plus {
            digits = digits.dropLast()
        }
        guard let length = Self.number(digits) else {
            kind = .malformed
            return
        }
        kind = .literal(length: length)
    }

    private static func isHeaderCharacter(_ byte: UInt8) -> Bool {
        Ascii.isDigit(byte) || byte == Ascii.plus || byte == Ascii.minus
    }

    private static func number(_ digits: ArraySlice<UInt8>) -> UInt64? {
        guard !digits.isEmpty, digits.count <= 20 else {
            return nil
        }
        if digits.count > 1 && digits.first == Ascii.zero {
            return nil
        }
        var value: UInt64 = 0
        for byte in digits {
            guard Ascii.isDigit(byte) else {
                return nil
            }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(UInt64(byte - Ascii.zero))
            if overflow1 || overflow2 {
                return nil
            }
            value = sum
        }
        return value
    }
}

/// The octets the protocol gives meaning to.
enum Ascii {
    static let nul: UInt8 = 0x00
    static let lf: UInt8 = 0x0A
    static let cr: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let quote: UInt8 = 0x22
    static let asterisk: UInt8 = 0x2A
    static let plus: UInt8 = 0x2B
    static let minus: UInt8 = 0x2D
    static let zero: UInt8 = 0x30
    static let backslash: UInt8 = 0x5C
    static let openBrace: UInt8 = 0x7B
    static let closeBrace: UInt8 = 0x7D

    static func isDigit(_ byte: UInt8) -> Bool {
        byte >= 0x30 && byte <= 0x39
    }
}
