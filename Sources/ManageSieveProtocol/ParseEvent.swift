// What the incremental parser hands to the session.

/// Bounds the parser enforces; every buffer has a cap (DESIGN.md convention 8).
public struct ParserLimits: Equatable, Sendable {
    /// Longest command line, literals excluded (`managesieve_max_line_length`).
    public var maxLineLength: Int
    /// Largest literal accepted as a script (`sieve_max_script_size`); larger literals are
    /// consumed without being buffered and the command is refused with `literalTooLarge`.
    public var maxScriptSize: Int
    /// Largest literal accepted for anything that is not a script (names, SASL data).
    public var maxOtherLiteralSize: Int
    /// Longest quoted string (RFC 5804 §4: 1024 octets).
    public var maxQuotedLength: Int
    /// A declared literal length above this cannot be consumed sensibly: the stream is closed with BYE.
    public var maxDiscardableLiteral: UInt64

    public init(
        maxLineLength: Int = 65536,
        maxScriptSize: Int = 1 << 20,
        maxOtherLiteralSize: Int = 65536,
        maxQuotedLength: Int = 1024,
        maxDiscardableLiteral: UInt64 = 1 << 31
    ) {
        self.maxLineLength = maxLineLength
        self.maxScriptSize = maxScriptSize
        self.maxOtherLiteralSize = maxOtherLiteralSize
        self.maxQuotedLength = maxQuotedLength
        self.maxDiscardableLiteral = maxDiscardableLiteral
    }
}

/// Why a command was refused by the parser.
public enum ProtocolError: Error, Equatable, Sendable {
    /// The line exceeded `maxLineLength`.
    case lineTooLong(limit: Int)
    /// A command name we do not know (as sent, truncated to 64 octets).
    case unknownCommand([UInt8])
    /// Empty line / no command name.
    case emptyCommand
    /// Wrong number or type of arguments for a known command.
    case badArguments(command: String, reason: String)
    /// A literal header such as `{}`, `{+}`, `{007+}`, `{-1}`, `{99999999999999999999+}`.
    case malformedLiteral
    /// A script literal larger than `maxScriptSize` (consumed without buffering).
    case literalTooLarge(command: String, declared: UInt64, limit: Int)
    /// A non-script literal larger than `maxOtherLiteralSize` (consumed without buffering).
    case stringTooLong(command: String, limit: Int)
    /// A quoted string longer than `maxQuotedLength`, or containing CR, LF or NUL, or a bad escape.
    case badQuotedString(String)
    /// A NUL octet where none is allowed.
    case nulByte
    /// Invalid UTF-8 where the RFC demands UTF-8.
    case invalidUTF8
    /// A number (HAVESPACE size) that is not a valid `number` (RFC 5804: 0..4294967295).
    case badNumber
    /// A SASL response that is neither a string nor `*`.
    case badSASLResponse
}

/// What `CommandParser.next()` yields.
public enum ParseEvent: Equatable, Sendable {
    /// A complete, well-formed command.
    case command(Command)
    /// In SASL mode: the client's response string (still base64, as sent).
    case saslResponse([UInt8])
    /// In SASL mode: the client sent `"*"` (RFC 5804 §2.1) to cancel.
    case saslCancel
    /// The whole command (including any literal) has been consumed; answer NO and go on.
    /// `command` is the upper-cased command name when it was recognised.
    case invalid(ProtocolError, command: String?)
    /// The stream can no longer be framed: answer BYE and close.
    case fatal(ProtocolError)
}
