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
public final class TLSClientTransport: SSLStream {
    private let context: TLSClientContext
    private let verify: Bool

    init(context: TLSClientContext, fd: Int32, host: String, verify: Bool) {
        self.context = context
        self.verify = verify
        super.init(context: context.context, input: fd, output: fd, unexpectedEOFIsEOF: true)
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
    }

    /// Runs the client handshake within `timeoutMilliseconds` (negative: forever). A certificate that does not
    /// verify fails with its reason (`certificate verify failed: unable to get local issuer certificate`).
    public func handshake(timeoutMilliseconds: Int) throws(TLSError) {
        try handshake(timeoutMilliseconds: timeoutMilliseconds) { reason in
            var reason = reason
            let result = SSL_get_verify_result(ssl)
            if verify && result != X509_V_OK, let text = X509_verify_cert_error_string(Int(result)) {
                reason += ": " + String(cString: text)
            }
            return .handshakeFailed(reason)
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
}
