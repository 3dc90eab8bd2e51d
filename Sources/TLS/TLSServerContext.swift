internal import COpenSSL
import Glibc
import Posix

/// A server SSL_CTX, built once per process as root (the key may be root-only) before privileges drop.
public final class TLSServerContext: @unchecked Sendable {
    // The SSL_CTX is configured in init and only read afterwards (SSL_new takes its own reference).
    let context: OpaquePointer
    let settings: TLSSettings

    public init(settings: TLSSettings) throws(TLSError) {
        self.settings = settings
        let minVersion = try Self.protocolVersion(named: settings.minProtocol)
        Self.initializeLibrary()
        ERR_clear_error()
        guard let method = TLS_server_method(), let context = SSL_CTX_new(method) else {
            fatalError("SSL_CTX_new failed: \(OpenSSLError.drain())")  // out of memory; nothing to recover
        }
        self.context = context

        // Certificate chain, then key (read now, while we may still be root).
        if let reason = Self.unreadable(settings.certificatePath) {
            throw .certificateUnreadable(path: settings.certificatePath, reason: reason)
        }
        guard SSL_CTX_use_certificate_chain_file(context, settings.certificatePath) == 1 else {
            throw .certificateUnreadable(path: settings.certificatePath, reason: OpenSSLError.drain())
        }
        // An encrypted key must fail here, not prompt on a terminal (OpenSSL's default callback reads /dev/tty).
        SSL_CTX_set_default_passwd_cb(context, { _, _, _, _ in 0 })
        if let reason = Self.unreadable(settings.keyPath) {
            throw .keyUnreadable(path: settings.keyPath, reason: reason)
        }
        guard
            Self.useUnencryptedPKCS8Key(context, path: settings.keyPath)
                || SSL_CTX_use_PrivateKey_file(context, settings.keyPath, SSL_FILETYPE_PEM) == 1
        else {
            let reason = OpenSSLError.drain()
            // OpenSSL also refuses a readable key of the wrong pair here ("key values mismatch").
            if reason.contains("values mismatch") { throw .keyMismatch }
            throw .keyUnreadable(path: settings.keyPath, reason: reason)
        }
        guard SSL_CTX_check_private_key(context) == 1 else {
            ERR_clear_error()
            throw .keyMismatch
        }
        if let certificate = SSL_CTX_get0_certificate(context), let notAfter = X509_get0_notAfter(certificate),
            X509_cmp_current_time(notAfter) < 0
        {
            throw .certificateExpired(notAfter: Self.text(of: notAfter))
        }

        // Protocols and ciphers.
        guard shim_SSL_CTX_set_min_proto_version(context, minVersion) == 1 else {
            throw .badProtocol(settings.minProtocol)
        }
        if let list = settings.cipherList {
            guard SSL_CTX_set_cipher_list(context, list) == 1 else {
                ERR_clear_error()
                throw .badCipherList(list)
            }
        }
        var options = shim_SSL_OP_NO_TICKET() | shim_SSL_OP_NO_RENEGOTIATION() | shim_SSL_OP_NO_COMPRESSION()
        // A client that just closes the socket ends the session like a close_notify would: commands are
        // self-delimiting, so truncation cannot change their meaning.
        options |= shim_SSL_OP_IGNORE_UNEXPECTED_EOF()
        if settings.preferServerCiphers { options |= shim_SSL_OP_CIPHER_SERVER_PREFERENCE() }
        _ = SSL_CTX_set_options(context, options)
        // One connection per process: no session cache and no TLS 1.3 tickets (they cost a post-handshake write).
        _ = SSL_CTX_set_num_tickets(context, 0)
        _ = shim_SSL_CTX_set_session_cache_mode(context, shim_SSL_SESS_CACHE_OFF())
        _ = shim_SSL_CTX_set_mode(
            context, shim_SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER() | shim_SSL_MODE_ENABLE_PARTIAL_WRITE())
        let sessionContext: [UInt8] = Array("managesieved".utf8)
        _ = SSL_CTX_set_session_id_context(context, sessionContext, UInt32(sessionContext.count))

        // CA file: verifies client certificates and completes the server chain.
        if let caPath = settings.caPath {
            if let reason = Self.unreadable(caPath) { throw .caUnreadable(path: caPath, reason: reason) }
            guard SSL_CTX_load_verify_locations(context, caPath, nil) == 1 else {
                throw .caUnreadable(path: caPath, reason: OpenSSLError.drain())
            }
        }
        if settings.verifyClientCertificate {
            guard let caPath = settings.caPath else {
                throw .caUnreadable(path: "", reason: "ssl_verify_client_cert needs ssl_ca")
            }
            guard let names = SSL_load_client_CA_file(caPath) else {
                throw .caUnreadable(path: caPath, reason: OpenSSLError.drain(fallback: "no CA certificates"))
            }
            SSL_CTX_set_client_CA_list(context, names)
            // Ask for a certificate but let the handshake succeed whatever it is, as Dovecot does: a user
            // with a stale certificate can still log in by password. SASL EXTERNAL only trusts a certificate
            // whose verification result is X509_V_OK (see TLSTransport.peerCertificateUsername).
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER, { _, _ in 1 })
        }
        ERR_clear_error()
    }

    deinit {
        SSL_CTX_free(context)
    }

    /// Loads the key when its file starts with an unencrypted PKCS#8 block ("PRIVATE KEY", what `openssl req`
    /// and `genpkey` write) decoding it as the certificate's key type; false (nothing loaded, the error queue
    /// cleared) for any other form or failure, which the caller then hands to `SSL_CTX_use_PrivateKey_file`
    /// for OpenSSL's own reasons. That generic reader tries every decoder OpenSSL has for every key type
    /// (OSSL_DECODER set-up for "any" type): a quarter of what building the context costs, paid between the
    /// client's STARTTLS and its handshake, while a key for this certificate can only be of its type. A key of
    /// another pair but the same type still fails in `SSL_CTX_use_PrivateKey` ("values mismatch").
    static func useUnencryptedPKCS8Key(_ context: OpaquePointer, path: String) -> Bool {
        defer { ERR_clear_error() }
        guard let certificate = SSL_CTX_get0_certificate(context), let publicKey = X509_get0_pubkey(certificate),
            let file = BIO_new_file(path, "r")
        else { return false }
        defer { BIO_free(file) }
        var name: UnsafeMutablePointer<CChar>? = nil
        var header: UnsafeMutablePointer<CChar>? = nil
        var data: UnsafeMutablePointer<UInt8>? = nil
        var length = 0
        guard PEM_read_bio(file, &name, &header, &data, &length) == 1 else { return false }
        defer {
            shim_OPENSSL_free(name)
            shim_OPENSSL_free(header)
            shim_OPENSSL_clear_free(data, length)  // the key itself
        }
        guard let name, strcmp(name, "PRIVATE KEY") == 0, let data, length > 0 else { return false }
        var cursor: UnsafePointer<UInt8>? = UnsafePointer(data)
        guard let key = d2i_PrivateKey_ex(EVP_PKEY_get_base_id(publicKey), nil, &cursor, length, nil, nil) else {
            return false
        }
        defer { EVP_PKEY_free(key) }
        return SSL_CTX_use_PrivateKey(context, key) == 1
    }

    /// OpenSSL's own set-up, before anything else in the process uses it. `OPENSSL_init_ssl` by default also
    /// enters every cipher in the legacy name table, which the first algorithm fetch then copies into the
    /// library's name map: an eighth of what building the context costs, paid between the client's STARTTLS and
    /// its handshake, for lookups by cipher name (`EVP_get_cipherbyname`) that nothing here makes: TLS fetches
    /// its ciphers from the provider. Digests stay in the table (certificate checks look them up by NID), and
    /// openssl.cnf (the system's TLS policy) and the error texts are still loaded.
    static func initializeLibrary() {
        _ = OPENSSL_init_ssl(UInt64(OPENSSL_INIT_NO_ADD_ALL_CIPHERS), nil)
    }

    /// A TLS transport over `input`/`output` (the same socket, or two pipes), in server mode. Call `handshake`.
    public func makeTransport(input: Int32, output: Int32) -> TLSTransport {
        TLSTransport(context: self, input: input, output: output)
    }

    /// OpenSSL's protocol number for an `ssl_min_protocol` value (Dovecot's spellings, case-insensitive).
    static func protocolVersion(named name: String) throws(TLSError) -> Int32 {
        switch name.lowercased() {
        case "any": 0
        case "tlsv1": TLS1_VERSION
        case "tlsv1.1": TLS1_1_VERSION
        case "tlsv1.2": TLS1_2_VERSION
        case "tlsv1.3", "latest": TLS1_3_VERSION
        default: throw .badProtocol(name)
        }
    }

    /// Why `path` cannot be opened for reading (errno text), or nil when it can.
    static func unreadable(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { return ErrnoText.describe(errno) }
        close(fd)
        return nil
    }

    /// "Jan  1 00:00:00 2020 GMT".
    static func text(of time: UnsafePointer<ASN1_TIME>) -> String {
        guard let bio = BIO_new(BIO_s_mem()) else { return "?" }
        defer { BIO_free(bio) }
        guard ASN1_TIME_print(bio, time) == 1 else { return "?" }
        var buffer = [UInt8](repeating: 0, count: 64)
        let n = BIO_read(bio, &buffer, Int32(buffer.count))
        return n > 0 ? String(decoding: buffer.prefix(Int(n)), as: UTF8.self) : "?"
    }
}
