import Auth
import ManageSieveProtocol
import Posix

/// What the session asks the connection to do; the session itself does no I/O.
public enum Effect: Equatable, Sendable {
    /// Write this (buffered; flushed before any wait, TLS start or close).
    case send(ServerOutput)
    /// Wait this long before going on (authentication failure delay).
    case delay(milliseconds: Int)
    /// Flush, discard pipelined input, run the TLS handshake, then call `Session.tlsStarted`.
    case startTLS
    /// The next client line is a SASL response.
    case expectSASLResponse
    /// Change the parser's limits (e.g. the user's script size limit after login).
    case setParserLimits(ParserLimits)
    /// Write a log line.
    case log(LogLevel, String)
    /// Tell the transport (transcripts) about a session event.
    case note(TransportEvent)
    /// Flush and end the session.
    case close(reason: String)
    /// Log in to a backend and relay the connection to it (Connection+Proxy.swift); the connection then
    /// calls `Session.relayStarted` or `Session.relayFailed`.
    case relay(ProxyRequest)
    /// A trusted proxy in front named the real client (XCLIENT ADDR=/PORT=): log lines show it from now on.
    case setPeer(String)
}

/// What the TLS layer tells the session once the handshake is done.
public struct TLSInfo: Sendable {
    /// Protocol and cipher, for logs and transcripts.
    public var description: String
    /// Channel-binding data by type (`tls-exporter`, `tls-server-end-point`).
    public var channelBindings: [String: [UInt8]]
    /// The identity from a verified client certificate.
    public var certificateUser: String?

    public init(description: String = "", channelBindings: [String: [UInt8]] = [:], certificateUser: String? = nil) {
        self.description = description
        self.channelBindings = channelBindings
        self.certificateUser = certificateUser
    }
}
