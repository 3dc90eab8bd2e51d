import Posix

/// Implicit TLS on the STARTTLS port: ManageSieve is server-first, so a client that speaks before the greeting
/// and whose first octet is a TLS handshake record (content type 22) wants TLS at once.
public enum TLSSniffer {
    /// Peeks (does not consume) the first octet on `fd`, waiting at most `timeoutMilliseconds`.
    /// False for a silent client, a plaintext one, a closed one, or a non-socket fd.
    public static func clientSpeaksTLSFirst(fd: Int32, timeoutMilliseconds: Int) -> Bool {
        Socket.peek(fd, maxCount: 1, timeoutMilliseconds: timeoutMilliseconds) == [0x16]
    }
}
