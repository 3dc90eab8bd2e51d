internal import COpenSSL
import Glibc
import Posix

/// A client SSL_CTX for the login proxy's leg to a backend: verifies the backend's certificate against
/// `ssl_ca` (or the system's default CA paths when none is set). Built once per process, while privileged
/// (the CA file may be root-only).
public final class TLSClientContext: @unchecked Sendable {
    // Configured in init, only read afterwards.
    let context: OpaquePointer

    /// `caPath`: PEM file of trusted CAs (`ssl_ca`); nil uses OpenSSL's default paths.
    /// `minProtocol`: as `ssl_min_protocol`.
    public init(caPath: String?, minProtocol: String = "TLSv1.2") throws(TLSError) {
        let minVersion = try TLSServerContext.protocolVersion(named: minProtocol)
        ERR_clear_error()
        guard let method = TLS_client_method(), let context = SSL_CTX_new(method) else {
            fatalError("SSL_CTX_new failed: \(OpenSSLError.drain())")
        }
        self.context = context
        guard shim_SSL_CTX_set_min_proto_version(context, minVersion) == 1 else { throw .badProtocol(minProtocol) }
        if let caPath {
            if let reason = TLSServerContext.unreadable(caPath) { throw .caUnreadable(path: caPath, reason: reason) }
            guard SSL_CTX_load_verify_locations(context, caPath, nil) == 1 else {
                throw .caUnreadable(path: caPath, reason: OpenSSLError.drain())
            }
        } else {
            _ = SSL_CTX_set_default_verify_paths(context)
        }
        _ = SSL_CTX_set_options(context, shim_SSL_OP_NO_RENEGOTIATION() | shim_SSL_OP_NO_COMPRESSION())
        _ = shim_SSL_CTX_set_session_cache_mode(context, shim_SSL_SESS_CACHE_OFF())
        _ = shim_SSL_CTX_set_mode(
            context, shim_SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER() | shim_SSL_MODE_ENABLE_PARTIAL_WRITE())
        ERR_clear_error()
    }

    deinit {
        SSL_CTX_free(context)
    }

    /// A client TLS transport over the connected socket `fd`. `host` is the backend as configured: a name is
    /// sent as SNI and must match the certificate; a numeric address must be in its subjectAltName (IP).
    /// `verify == false` (`any-cert`) accepts any certificate. Call `handshake`.
    public func makeTransport(fd: Int32, host: String, verify: Bool) -> TLSClientTransport {
        TLSClientTransport(context: self, fd: fd, host: host, verify: verify)
    }
}

/// The client side of TLS over one socket; the fd is non-blocking for the transport's lifetime.
public final class TLSClientTransport: PollableTransport {
    private let context: TLSClientContext
    private let ssl: OpaquePointer
    private let fd: Int32
    private var savedFlags: Int32?
    private let verify: Bool

    init(context: TLSClientContext, fd: Int32, host: String, verify: Bool) {
        self.context = context
        guard let ssl = SSL_new(context.context) else { fatalError("SSL_new failed: \(OpenSSLError.drain())") }
        self.ssl = ssl
        self.fd = fd
        self.verify = verify
        _ = SSL_set_fd(ssl, fd)
        SSL_set_connect_state(ssl)
        var bare = host
        if bare.hasPrefix("[") && bare.hasSuffix("]") { bare = String(bare.dropFirst().dropLast()) }
        let numeric = TCPConnect.isNumeric(bare)
        if !numeric { _ = shim_SSL_set_tlsext_host_name(ssl, bare) }  // RFC 6066 §3: no literal addresses in SNI
        if verify {
            SSL_set_verify(ssl, SSL_VERIFY_PEER, nil)
            if numeric {
                _ = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), bare)
            } else {
                _ = SSL_set1_host(ssl, bare)
            }
        } else {
            SSL_set_verify(ssl, SSL_VERIFY_NONE, nil)
        }
        Socket.setNoDelay(fd)
        let flags = fcntl(fd, F_GETFL)
        if flags >= 0 && flags & O_NONBLOCK == 0 {
            savedFlags = flags
            _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        }
    }

    deinit {
        SSL_free(ssl)
        if let savedFlags { _ = fcntl(fd, F_SETFL, savedFlags) }
    }

    public var readableDescriptor: Int32 { fd }
    public var hasBufferedInput: Bool { SSL_pending(ssl) > 0 }

    /// Runs the client handshake within `timeoutMilliseconds` (negative: forever). A certificate that does not
    /// verify fails with its reason (`certificate verify failed: unable to get local issuer certificate`).
    public func handshake(timeoutMilliseconds: Int) throws(TLSError) {
        let deadline = Deadline(timeoutMilliseconds)
        while true {
            ERR_clear_error()
            errno = 0
            let rc = SSL_do_handshake(ssl)
            if rc == 1 { return }
            switch SSL_get_error(ssl, rc) {
            case SSL_ERROR_WANT_READ:
                guard deadline.wait(fd: fd, events: Int16(POLLIN)) else { throw .timeout }
            case SSL_ERROR_WANT_WRITE:
                guard deadline.wait(fd: fd, events: Int16(POLLOUT)) else { throw .timeout }
            case SSL_ERROR_ZERO_RETURN:
                throw .closed
            case SSL_ERROR_SYSCALL:
                let code = errno
                let queued = OpenSSLError.drain(fallback: "")
                if code == 0 && queued.isEmpty { throw .closed }
                if code == ECONNRESET || code == EPIPE { throw .closed }
                throw .handshakeFailed(queued.isEmpty ? ErrnoText.describe(code) : queued)
            default:
                var reason = OpenSSLError.drain()
                let result = SSL_get_verify_result(ssl)
                if verify && result != X509_V_OK, let text = X509_verify_cert_error_string(Int(result)) {
                    reason += ": " + String(cString: text)
                }
                throw .handshakeFailed(reason)
            }
        }
    }

    /// "TLSv1.3 TLS_AES_256_GCM_SHA384".
    public var summary: String {
        var text = String(cString: SSL_get_version(ssl))
        if let cipher = SSL_get_current_cipher(ssl), let name = SSL_CIPHER_get_name(cipher) {
            text += " " + String(cString: name)
        }
        return text
    }

    public func read(
        into buffer: inout [UInt8], maxCount: Int, timeoutMilliseconds: Int?
    ) throws(IOError)
        -> ReadResult
    {
        guard maxCount > 0 else { return .data(0) }
        let deadline = Deadline(timeoutMilliseconds ?? -1)
        let start = buffer.count
        let count = min(maxCount, 1 << 16)
        buffer.append(contentsOf: repeatElement(0, count: count))
        while true {
            ERR_clear_error()
            errno = 0
            let rc = buffer.withUnsafeMutableBytes { raw in SSL_read(ssl, raw.baseAddress! + start, Int32(count)) }
            if rc > 0 {
                buffer.removeLast(count - Int(rc))
                return .data(Int(rc))
            }
            let error = SSL_get_error(ssl, rc)
            switch error {
            case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE:
                let events = error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT
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
                let reason = OpenSSLError.drain()
                if reason.contains("unexpected eof") { return .eof }
                throw IOError(operation: "TLS read", errno: 0, detail: reason)
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
                continue
            }
            let error = SSL_get_error(ssl, rc)
            switch error {
            case SSL_ERROR_WANT_WRITE, SSL_ERROR_WANT_READ:
                let events = error == SSL_ERROR_WANT_WRITE ? POLLOUT : POLLIN
                _ = Deadline(-1).wait(fd: fd, events: Int16(events))
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

    /// Sends close_notify (best effort, at most 200 ms): the backend then sees the end of the session.
    public func shutdown() {
        let deadline = Deadline(200)
        for _ in 0..<3 {
            ERR_clear_error()
            let rc = SSL_shutdown(ssl)
            if rc >= 0 { break }
            guard SSL_get_error(ssl, rc) == SSL_ERROR_WANT_WRITE, deadline.wait(fd: fd, events: Int16(POLLOUT))
            else { break }
        }
        ERR_clear_error()
    }
}
