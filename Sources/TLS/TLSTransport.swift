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
public final class TLSTransport: SSLStream {
    private let context: TLSServerContext

    init(context: TLSServerContext, input: Int32, output: Int32) {
        self.context = context
        super.init(context: context.context, input: input, output: output, unexpectedEOFIsEOF: false)
        SSL_set_accept_state(ssl)
    }

    /// Runs the server handshake; a negative timeout waits forever. With TLS 1.3 and no client certificate
    /// asked for, it returns once the server's flight (ServerHello … Finished) is written: the session's first
    /// answer (the capabilities after STARTTLS, the implicit-TLS greeting) then follows that flight at once as
    /// 0.5-RTT data (RFC 8446 §4.4.4) instead of a round trip later, and the client's Finished is read right
    /// after it (`SSLStream.finishHandshake`). Nothing in that answer depends on the client's identity, which
    /// TLS has not confirmed at that point; with `ssl_verify_client_cert` the whole handshake runs first, since
    /// the certificate can change what is offered (EXTERNAL).
    public func handshake(timeoutMilliseconds: Int) throws(TLSError) {
        let failure: (String) -> TLSError = { reason in
            reason.contains("unexpected eof") ? .closed : .handshakeFailed(reason)
        }
        guard !context.settings.verifyClientCertificate else {
            return try handshake(timeoutMilliseconds: timeoutMilliseconds, failure: failure)
        }
        // SSL_read_early_data stops the server's handshake after its Finished (no early data is accepted:
        // max_early_data stays 0, there are no tickets and no session cache).
        try handshake(timeoutMilliseconds: timeoutMilliseconds, failure: failure) { ssl throws(TLSError) in
            var byte: UInt8 = 0
            var count = 0
            switch SSL_read_early_data(ssl, &byte, 1, &count) {
            case SSL_READ_EARLY_DATA_FINISH: return 1
            case SSL_READ_EARLY_DATA_SUCCESS: throw .handshakeFailed("unexpected early data")
            default: return -1
            }
        }
        handshakeTimeoutMilliseconds = timeoutMilliseconds
        awaitingPeerFinished = SSL_is_init_finished(ssl) != 1
    }

    /// Channel-binding data for SCRAM-PLUS, or nil when this connection cannot provide that kind.
    public func channelBinding(_ kind: ChannelBindingKind) -> [UInt8]? {
        // TLS 1.3 derives the exporter secret with the server's Finished, so it is known at 0.5-RTT already.
        guard SSL_is_init_finished(ssl) == 1 || awaitingPeerFinished else { return nil }
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
