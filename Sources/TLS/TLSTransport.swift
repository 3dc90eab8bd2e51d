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
    private let stream: SSLStream
    private var ssl: OpaquePointer { stream.ssl }
    /// How long a `write` may wait each time for the peer to make room, in milliseconds; nil waits forever.
    public var writeTimeoutMilliseconds: Int?
    /// Plaintext octets read so far (for the session summary line).
    public var bytesRead: UInt64 { stream.bytesRead }
    /// Plaintext octets written so far.
    public var bytesWritten: UInt64 { stream.bytesWritten }

    /// The most one `read` appends (a TLS record carries at most 16 KiB anyway).
    static let largestRead = SSLStream.largestRead

    init(context: TLSServerContext, input: Int32, output: Int32) {
        self.context = context
        stream = SSLStream(context: context.context, input: input, output: output)
        SSL_set_accept_state(stream.ssl)
    }

    /// Runs the server handshake; a negative timeout waits forever.
    public func handshake(timeoutMilliseconds: Int) throws(TLSError) {
        try stream.handshake(timeoutMilliseconds: timeoutMilliseconds) { reason in
            reason.contains("unexpected eof") ? .closed : .handshakeFailed(reason)
        }
    }

    public func read(
        into buffer: inout [UInt8], maxCount: Int, timeoutMilliseconds: Int?
    ) throws(SystemError)
        -> ReadResult
    {
        try stream.read(
            into: &buffer, maxCount: maxCount, timeoutMilliseconds: timeoutMilliseconds, unexpectedEOFIsEOF: false)
    }

    public func write(_ bytes: [UInt8]) throws(SystemError) {
        try stream.write(bytes, timeoutMilliseconds: writeTimeoutMilliseconds)
    }

    /// Sends close_notify, best effort (waits at most 200 ms for the socket to take it; never for the reply).
    public func shutdown() {
        stream.shutdown()
    }

    /// "TLSv1.3".
    public var protocolVersion: String { stream.protocolVersion }

    /// "TLS_AES_256_GCM_SHA384"; "" before the handshake.
    public var cipherName: String { stream.cipherName }

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

extension TLSTransport: PollableTransport {
    /// The descriptor records arrive on (the login proxy polls it together with the backend's).
    public var readableDescriptor: Int32 { stream.input }
    /// Records already decrypted but not yet read: poll(2) cannot see them.
    public var hasBufferedInput: Bool { stream.hasBufferedInput }
}
