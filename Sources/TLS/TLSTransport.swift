internal import COpenSSL
import Glibc
import Posix

/// The channel-binding types SCRAM-PLUS may ask for.
public enum ChannelBindingKind: String, Sendable, CaseIterable {
    /// RFC 9266: 32 octets exported with the label "EXPORTER-Channel-Binding" (TLS 1.3, or 1.2 with EMS).
    case tlsExporter = "tls-exporter"
    /// RFC 5929 §4: a hash of the server certificate.
    case tlsServerEndPoint = "tls-server-end-point"
}

/// A server-side TLS session over one socket or a pair of fds.
///
/// The fds are switched to non-blocking mode for the transport's lifetime (restored in deinit), so every
/// wait is a poll(2) with a deadline whether the caller gave blocking fds or not. TCP_NODELAY is set on the
/// output fd when it is a TCP socket. Writes to a closed socket raise SIGPIPE unless the process ignores it
/// (`ProcessControl.ignoreSIGPIPE()`, as the server does).
public final class TLSTransport: Transport {
    private let context: TLSServerContext
    private let ssl: OpaquePointer
    private let input: Int32
    private let output: Int32
    private var savedFlags: [(fd: Int32, flags: Int32)] = []
    /// How long a `write` may wait each time for the peer to make room, in milliseconds; nil waits forever.
    public var writeTimeoutMilliseconds: Int?
    /// Plaintext octets read so far (for the session summary line).
    public private(set) var bytesRead: UInt64 = 0
    /// Plaintext octets written so far.
    public private(set) var bytesWritten: UInt64 = 0

    /// The most one `read` appends (a TLS record carries at most 16 KiB anyway).
    static let largestRead = 1 << 16

    init(context: TLSServerContext, input: Int32, output: Int32) {
        self.context = context
        guard let ssl = SSL_new(context.context) else { fatalError("SSL_new failed: \(OpenSSLError.drain())") }
        self.ssl = ssl
        self.input = input
        self.output = output
        if input == output {
            _ = SSL_set_fd(ssl, input)
        } else {
            _ = SSL_set_rfd(ssl, input)
            _ = SSL_set_wfd(ssl, output)
        }
        SSL_set_accept_state(ssl)
        // A handshake flight followed by a small record must not wait on Nagle + delayed ACK (~40 ms).
        Socket.setNoDelay(output)
        for fd in input == output ? [input] : [input, output] {
            let flags = fcntl(fd, F_GETFL)
            if flags >= 0 && flags & O_NONBLOCK == 0 {
                savedFlags.append((fd, flags))
                _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
            }
        }
    }

    deinit {
        SSL_free(ssl)
        for saved in savedFlags { _ = fcntl(saved.fd, F_SETFL, saved.flags) }
    }

    /// Runs the server handshake; a negative timeout waits forever.
    public func handshake(timeoutMilliseconds: Int) throws(TLSError) {
        let deadline = Deadline(timeoutMilliseconds)
        while true {
            ERR_clear_error()
            errno = 0
            let rc = SSL_do_handshake(ssl)
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
                let reason = OpenSSLError.drain()
                if reason.contains("unexpected eof") { throw .closed }
                throw .handshakeFailed(reason)
            }
        }
    }

    public func read(
        into buffer: inout [UInt8], maxCount: Int, timeoutMilliseconds: Int?
    ) throws(IOError)
        -> ReadResult
    {
        guard maxCount > 0 else { return .data(0) }
        let deadline = Deadline(timeoutMilliseconds ?? -1)
        let start = buffer.count
        let count = min(maxCount, Self.largestRead)
        buffer.append(contentsOf: repeatElement(0, count: count))
        // SSL_read first, poll only when it needs bytes: records already decrypted (SSL_pending) are served
        // without waiting.
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
                throw IOError(operation: "TLS read", errno: code, detail: queued.isEmpty ? nil : queued)
            default:
                buffer.removeLast(count)
                throw IOError(operation: "TLS read", errno: 0, detail: OpenSSLError.drain())
            }
        }
    }

    public func write(_ bytes: [UInt8]) throws(IOError) {
        var offset = 0
        while offset < bytes.count {
            ERR_clear_error()
            errno = 0
            let chunk = min(bytes.count - offset, Int(Int32.max))
            let rc = bytes.withUnsafeBytes { raw in SSL_write(ssl, raw.baseAddress! + offset, Int32(chunk)) }
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
                    throw IOError(operation: "TLS write", errno: ETIMEDOUT)
                }
            case SSL_ERROR_SYSCALL:
                let code = errno
                let queued = OpenSSLError.drain(fallback: "")
                throw IOError(
                    operation: "TLS write", errno: code == 0 ? EPIPE : code, detail: queued.isEmpty ? nil : queued)
            default:
                throw IOError(operation: "TLS write", errno: 0, detail: OpenSSLError.drain())
            }
        }
    }

    /// Sends close_notify, best effort (waits at most 200 ms for the socket to take it; never for the reply).
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

    /// Channel-binding data for SCRAM-PLUS, or nil when this connection cannot provide that kind.
    public func channelBinding(_ kind: ChannelBindingKind) -> [UInt8]? {
        guard SSL_is_init_finished(ssl) == 1 else { return nil }
        switch kind {
        case .tlsExporter:
            // RFC 9266 §2: unsafe on TLS 1.2 without the extended master secret.
            guard SSL_version(ssl) >= TLS1_3_VERSION || shim_SSL_get_extms_support(ssl) == 1 else { return nil }
            let label = "EXPORTER-Channel-Binding"
            var out = [UInt8](repeating: 0, count: 32)
            let rc = SSL_export_keying_material(ssl, &out, out.count, label, label.utf8.count, nil, 0, 0)
            ERR_clear_error()
            return rc == 1 ? out : nil
        case .tlsServerEndPoint:
            guard let certificate = SSL_get_certificate(ssl) else { return nil }
            // RFC 5929 §4.1: the certificate's signature hash, SHA-256 when that is MD5 or SHA-1; undefined
            // (nil) for algorithms without a separate hash such as Ed25519.
            var digestNID: Int32 = 0
            guard OBJ_find_sigid_algs(X509_get_signature_nid(certificate), &digestNID, nil) == 1,
                digestNID != NID_undef
            else { return nil }
            let digest =
                (digestNID == NID_md5 || digestNID == NID_sha1) ? EVP_sha256() : shim_EVP_get_digestbynid(digestNID)
            guard let digest else { return nil }
            var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
            var length: UInt32 = 0
            guard X509_digest(certificate, digest, &out, &length) == 1 else {
                ERR_clear_error()
                return nil
            }
            return Array(out.prefix(Int(length)))
        }
    }

    /// The user named by a verified client certificate (the subject field `ssl_cert_username_field`), or nil
    /// when client certificates are not verified, none was sent, it failed verification, or it lacks the field.
    public var peerCertificateUsername: String? {
        guard context.settings.verifyClientCertificate, SSL_is_init_finished(ssl) == 1,
            let certificate = SSL_get0_peer_certificate(ssl), SSL_get_verify_result(ssl) == X509_V_OK
        else { return nil }
        let nid = OBJ_txt2nid(context.settings.certUsernameField)
        guard nid != NID_undef, let name = X509_get_subject_name(certificate) else { return nil }
        let index = X509_NAME_get_index_by_NID(name, nid, -1)
        guard index >= 0, let entry = X509_NAME_get_entry(name, index), let data = X509_NAME_ENTRY_get_data(entry)
        else { return nil }
        var utf8: UnsafeMutablePointer<UInt8>? = nil
        let length = ASN1_STRING_to_UTF8(&utf8, data)
        guard length > 0, let utf8 else { return nil }
        defer { shim_OPENSSL_free(utf8) }
        let bytes = Array(UnsafeBufferPointer(start: utf8, count: Int(length)))
        guard !bytes.contains(0) else { return nil }  // an embedded NUL would let "admin\0.evil" pass as admin
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// A poll(2) deadline on the monotonic clock; negative means none.
struct Deadline {
    private let end: Int64?

    init(_ timeoutMilliseconds: Int) {
        end = timeoutMilliseconds < 0 ? nil : Self.now() + Int64(timeoutMilliseconds)
    }

    /// Waits for `events` on `fd` (an error or hang-up also ends the wait: the next OpenSSL call sees it).
    /// False when the deadline passed first.
    func wait(fd: Int32, events: Int16) -> Bool {
        var pfd = pollfd(fd: fd, events: events, revents: 0)
        while true {
            var timeout: Int32 = -1
            if let end { timeout = Int32(clamping: max(0, end - Self.now())) }
            let rc = poll(&pfd, 1, timeout)
            if rc > 0 { return true }
            if rc == 0 { return false }
            if errno != EINTR { return true }
        }
    }

    static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}

extension TLSTransport: PollableTransport {
    /// The descriptor records arrive on (the login proxy polls it together with the backend's).
    public var readableDescriptor: Int32 { input }
    /// Records already decrypted but not yet read: poll(2) cannot see them.
    public var hasBufferedInput: Bool { SSL_pending(ssl) > 0 }
}
