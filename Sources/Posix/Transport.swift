// The byte pipe under a session: plain fds, TLS, or a transcript decorator over either.

/// The outcome of one read.
public enum ReadResult: Equatable, Sendable {
    /// This many octets were appended to the buffer.
    case data(Int)
    /// The peer closed its side.
    case eof
    /// Nothing arrived within the timeout.
    case timeout
}

/// A bidirectional byte stream. Implementations retry EINTR and write completely.
public protocol Transport: AnyObject {
    /// Reads at most `maxCount` octets, appending them to `buffer`. `timeoutMilliseconds == nil` waits forever.
    func read(into buffer: inout [UInt8], maxCount: Int, timeoutMilliseconds: Int?) throws(SystemError) -> ReadResult
    /// Writes all of `bytes`.
    func write(_ bytes: [UInt8]) throws(SystemError)
    /// Tells the transport that a session event happened (transcripts record them; others ignore it).
    func note(_ event: TransportEvent)
    /// Non-nil when the transport wants the client's input as the session's parser framed it
    /// (`TransportEvent.clientInput`), keeping at most this many octets of a literal: a transcript. It then
    /// records nothing of what it reads itself.
    var clientInputLiteralCap: Int? { get }
}

extension Transport {
    public func note(_ event: TransportEvent) {}
    public var clientInputLiteralCap: Int? { nil }
}

/// One piece of client input as the session's parser consumed it, for transcripts: what may be shown, and how
/// many octets were withheld as credentials (the parser decides which, from its framing and the SASL state).
public struct ClientInput: Equatable, Sendable {
    /// nil for a line (with its line end unless `incomplete`); a literal's declared length otherwise.
    public var literalLength: UInt64?
    /// Octets that may be recorded: a line's text before the withheld part, or a literal's content.
    public var shown: [UInt8]
    /// Octets withheld as credentials: counted, never kept.
    public var withheld: Int
    /// A line's octets after the withheld part that may be recorded (a literal header and the line end).
    public var shownAfter: [UInt8]
    /// Octets not kept because a record is capped.
    public var dropped: UInt64
    /// The input ended before the piece was complete.
    public var incomplete: Bool

    public init(
        literalLength: UInt64?, shown: [UInt8], withheld: Int, shownAfter: [UInt8], dropped: UInt64,
        incomplete: Bool
    ) {
        self.literalLength = literalLength
        self.shown = shown
        self.withheld = withheld
        self.shownAfter = shownAfter
        self.dropped = dropped
        self.incomplete = incomplete
    }
}

/// Session events a transport decorator may record.
public enum TransportEvent: Equatable, Sendable {
    /// TLS is now active (protocol version and cipher).
    case tlsStarted(String)
    /// The client's next bytes are a SASL exchange for this mechanism; redact them.
    case saslBegin(mechanism: String)
    /// The SASL exchange has ended (the server's status line follows unredacted).
    case saslEnd
    /// A user has logged in.
    case login(user: String)
    /// The session is ending for this reason.
    case disconnect(reason: String)
    /// Any other event worth recording.
    case other(String)
    /// Client input as the parser consumed it (sent only to transports with a `clientInputLiteralCap`).
    case clientInput(ClientInput)
}
