/// Everything that can go wrong building a TLS context or running a handshake.
public enum TLSError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `ssl_cert` cannot be read or is not a PEM certificate.
    case certificateUnreadable(path: String, reason: String)
    /// `ssl_key` cannot be read or is not a PEM private key.
    case keyUnreadable(path: String, reason: String)
    /// The private key does not belong to the certificate.
    case keyMismatch
    /// The certificate's notAfter lies in the past.
    case certificateExpired(notAfter: String)
    /// `ssl_ca` cannot be read (or is missing while client certificates are to be verified).
    case caUnreadable(path: String, reason: String)
    /// `ssl_min_protocol` names no protocol we know.
    case badProtocol(String)
    /// `ssl_cipher_list` selects no cipher.
    case badCipherList(String)
    /// The handshake failed; OpenSSL's reasons.
    case handshakeFailed(String)
    /// The peer did not complete the handshake in time.
    case timeout
    /// The peer closed the connection during the handshake.
    case closed

    public var description: String {
        switch self {
        case .certificateUnreadable(let path, let reason): "cannot load TLS certificate \(path): \(reason)"
        case .keyUnreadable(let path, let reason): "cannot load TLS private key \(path): \(reason)"
        case .keyMismatch: "the TLS private key does not match the certificate"
        case .certificateExpired(let notAfter): "the TLS certificate expired on \(notAfter)"
        case .caUnreadable(let path, let reason): "cannot load TLS CA file \(path): \(reason)"
        case .badProtocol(let name):
            "unknown ssl_min_protocol '\(name)' (use TLSv1, TLSv1.1, TLSv1.2, TLSv1.3 or ANY)"
        case .badCipherList(let list): "ssl_cipher_list '\(list)' selects no usable cipher"
        case .handshakeFailed(let reason): "TLS handshake failed: \(reason)"
        case .timeout: "TLS handshake timed out"
        case .closed: "the client closed the connection during the TLS handshake"
        }
    }
}
