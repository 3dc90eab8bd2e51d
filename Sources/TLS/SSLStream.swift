internal import COpenSSL
import Glibc
import Posix

/// A TLS session over one socket or a pair of fds, and the `Transport` of both roles, the server's
/// (`TLSTransport`) and the client's (`TLSClientTransport`): owns the SSL object, switches its fds to
/// non-blocking mode for its lifetime (restored in deinit) and runs handshake, read, write and shutdown with
/// poll(2) deadlines. The subclasses configure the role (accept/connect state, SNI, verification) on `ssl` and
/// map handshake failures to their own errors.
public class SSLStream: PollableTransport {
    let ssl: OpaquePointer
    let input: Int32
    let output: Int32
    private var savedFlags: [(fd: Int32, flags: Int32)] = []
    /// A peer that closes without close_notify ends the input (a backend) instead of failing the read (a client,
    /// which could otherwise truncate what it sends unnoticed).
    private let unexpectedEOFIsEOF: Bool
    /// How long a `write` may wait each time for the peer to make room, in milliseconds; nil waits forever.
    public var writeTimeoutMilliseconds: Int?
    /// Plaintext octets read so far (for the session summary line).
    public private(set) var bytesRead: UInt64 = 0
    /// Plaintext octets written so far.
    public private(set) var bytesWritten: UInt64 = 0
    /// A server handshake that stopped after the server's own flight (TLS 1.3, `TLSTransport.handshake`): the
    /// first write goes out as 0.5-RTT data (RFC 8446 §4.4.4) right behind that flight, and the client's
    /// Finished is read after it, or before the first read, within `handshakeTimeoutMilliseconds`.
    var awaitingPeerFinished = false
    var handshakeTimeoutMilliseconds = -1

    /// The most one `read` appends (a TLS record carries at most 16 KiB anyway).
    static let largestRead = 1 << 16

    /// A new SSL object from `context` (an SSL_CTX) over `input`/`output` (the same fd for a socket).
    /// TCP_NODELAY is set on the output fd when it is a TCP socket: a handshake flight followed by a small
    /// record must not wait on Nagle + delayed ACK (~40 ms).
    init(context: OpaquePointer, input: Int32, output: Int32, unexpectedEOFIsEOF: Bool) {
        guard let ssl = SSL_new(context) else { fatalError("SSL_new failed: \(OpenSSLError.drain())") }
        self.ssl = ssl
        self.input = input
        self.output = output
        self.unexpectedEOFIsEOF = unexpectedEOFIsEOF
        if input == output {
            _ = SSL_set_fd(ssl, input)
        } else {
            _ = SSL_set_rfd(ssl, input)
            _ = SSL_set_wfd(ssl, output)
        }
        Socket.setNoDelay(output)
        for fd in input == output ? [input] : [input, output] {
            if let flags = DescriptorWait.setNonBlocking(fd) { savedFlags.append((fd, flags)) }
        }
    }

    deinit {
        SSL_free(ssl)
        for saved in savedFlags { DescriptorWait.restoreFlags(saved.fd, saved.flags) }
    }

    /// The descriptor records arrive on (the login proxy polls it together with the other side's).
    public var readableDescriptor: Int32 { input }
    /// Records already decrypted but not yet read: poll(2) cannot see them.
    public var hasBufferedInput: Bool { SSL_pending(ssl) > 0 }

    /// Runs the handshake (in the role set on `ssl`); a negative timeout waits forever. The peer closing or
    /// resetting the connection is `.closed`; `failure` turns the drained OpenSSL error queue of any other
    /// protocol failure into the error thrown.
    func handshake(
        timeoutMilliseconds: Int, failure: (_ reason: String) -> TLSError,
        step: (OpaquePointer) throws(TLSError) -> Int32 = { SSL_do_handshake($0) }
    ) throws(TLSError) {
        let deadline = Deadline(timeoutMilliseconds)
        while true {
            ERR_clear_error()
            errno = 0
            let rc = try step(ssl)
            if rc == 1 { return }
            switch SSL_get_error(ssl, rc) {
            case SSL_ERROR_WANT_READ:
                guard deadline.wait(fd: input, events: Int16(POLLIN)) else { throw .timeout }
            case SSL_ERROR_WANT_WRITE:
                guard deadline.wait(fd: output, events: Int16(POLLOUT)) else { throw .timeout }
            case SSL_ERROR_ZERO_RETURN:
                throw .closed
            case SSL_ERROR_SYSCALL:
                let code = errno
                let queued = OpenSSLError.drain(fallback: "")
                if code == 0 && queued.isEmpty { throw .closed }  // EOF from the peer
                if code == ECONNRESET || code == EPIPE { throw .closed }
                throw .handshakeFailed(queued.isEmpty ? ErrnoText.describe(code) : queued)
            default:
                throw failure(OpenSSLError.drain())
            }
        }
    }

    /// Appends at most `maxCount` (and `largestRead`) plaintext octets to `buffer`. SSL_read first, poll only
    /// when it needs bytes: records already decrypted (SSL_pending) are served without waiting.
    public func read(
        into buffer: inout [UInt8], maxCount: Int, timeoutMilliseconds: Int?
    ) throws(SystemError) -> ReadResult {
        guard maxCount > 0 else { return .data(0) }
        if awaitingPeerFinished { try finishHandshake() }
        let deadline = Deadline(timeoutMilliseconds ?? -1)
        let start = buffer.count
        let count = min(maxCount, Self.largestRead)
        buffer.append(contentsOf: repeatElement(0, count: count))
        while true {
            ERR_clear_error()
            errno = 0
            let rc = buffer.withUnsafeMutableBytes { raw in
                SSL_read(ssl, raw.baseAddress! + start, Int32(count))
            }
            if rc > 0 {
                buffer.removeLast(count - Int(rc))
                bytesRead &+= UInt64(rc)
                return .data(Int(rc))
            }
            let error = SSL_get_error(ssl, rc)
            switch error {
            case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
                let (fd, events) = error == SSL_ERROR_WANT_READ ? (input, POLLIN) : (output, POLLOUT)
                if !deadline.wait(fd: fd, events: Int16(events)) {
                    buffer.removeLast(count)
                    return .timeout
                }
            case SSL_ERROR_ZERO_RETURN:
                buffer.removeLast(count)
                return .eof
            case SSL_ERROR_SYSCALL:
                buffer.removeLast(count)
                let code = errno
                let queued = OpenSSLError.drain(fallback: "")
                if code == 0 && queued.isEmpty { return .eof }
                throw SystemError(operation: "TLS read", errno: code, detail: queued.isEmpty ? nil : queued)
            default:
                buffer.removeLast(count)
                let reason = OpenSSLError.drain()
                if unexpectedEOFIsEOF && reason.contains("unexpected eof") { return .eof }
                throw SystemError(operation: "TLS read", errno: 0, detail: reason)
            }
        }
    }

    /// Writes all of `bytes`; each wait for the peer to make room may take `writeTimeoutMilliseconds` (ETIMEDOUT
    /// after that).
    public func write(_ bytes: [UInt8]) throws(SystemError) {
        var offset = 0
        while offset < bytes.count {
            ERR_clear_error()
            errno = 0
            let chunk = min(bytes.count - offset, Int(Int32.max))
            let rc = bytes.withUnsafeBytes { raw in
                if awaitingPeerFinished {
                    var written = 0
                    return SSL_write_early_data(ssl, raw.baseAddress! + offset, chunk, &written) == 1
                        ? Int32(written) : -1
                }
                return SSL_write(ssl, raw.baseAddress! + offset, Int32(chunk))
            }
            if rc > 0 {
                offset += Int(rc)
                bytesWritten &+= UInt64(rc)
                continue
            }
            let error = SSL_get_error(ssl, rc)
            switch error {
            case SSL_ERROR_WANT_WRITE, SSL_ERROR_WANT_READ:
                let (fd, events) = error == SSL_ERROR_WANT_WRITE ? (output, POLLOUT) : (input, POLLIN)
                guard Deadline(writeTimeoutMilliseconds ?? -1).wait(fd: fd, events: Int16(events)) else {
                    throw SystemError(operation: "TLS write", errno: ETIMEDOUT)
                }
            case SSL_ERROR_SYSCALL:
                let code = errno
                let queued = OpenSSLError.drain(fallback: "")
                throw SystemError(
                    operation: "TLS write", errno: code == 0 ? EPIPE : code, detail: queued.isEmpty ? nil : queued)
            default:
                throw SystemError(operation: "TLS write", errno: 0, detail: OpenSSLError.drain())
            }
        }
        if awaitingPeerFinished { try finishHandshake() }
    }

    /// Reads the client's Finished (and the rest of its flight) after 0.5-RTT data, or before the first read.
    func finishHandshake() throws(SystemError) {
        awaitingPeerFinished = false
        do {
            try handshake(timeoutMilliseconds: handshakeTimeoutMilliseconds) { reason in
                reason.contains("unexpected eof") ? .closed : .handshakeFailed(reason)
            }
        } catch {
            throw SystemError(operation: "TLS handshake", errno: 0, detail: error.description)
        }
    }

    /// Sends close_notify, best effort (waits at most 200 ms for the socket to take it; never for the reply): the
    /// peer then sees the end of the session.
    public func shutdown() {
        let deadline = Deadline(200)
        for _ in 0..<3 {
            ERR_clear_error()
            let rc = SSL_shutdown(ssl)
            if rc >= 0 { break }
            guard SSL_get_error(ssl, rc) == SSL_ERROR_WANT_WRITE, deadline.wait(fd: output, events: Int16(POLLOUT))
            else { break }
        }
        ERR_clear_error()
    }

    /// "TLSv1.3".
    public var protocolVersion: String {
        String(cString: SSL_get_version(ssl))
    }

    /// "TLS_AES_256_GCM_SHA384"; "" before the handshake.
    public var cipherName: String {
        guard let cipher = SSL_get_current_cipher(ssl), let name = SSL_CIPHER_get_name(cipher) else { return "" }
        return String(cString: name)
    }
}

/// A poll(2) deadline on the monotonic clock; negative means none.
struct Deadline {
    private let end: Int64?

    init(_ timeoutMilliseconds: Int) {
        end = timeoutMilliseconds < 0 ? nil : DescriptorWait.now() + Int64(timeoutMilliseconds)
    }

    /// Waits for `events` on `fd` (an error or hang-up also ends the wait: the next OpenSSL call sees it).
    /// False when the deadline passed first.
    func wait(fd: Int32, events: Int16) -> Bool {
        DescriptorWait.wait(fd, events: events, until: end)
    }
}
