/// What the server TLS context is built from (Dovecot's `ssl_*` settings, already parsed by `Config`).
public struct TLSSettings: Sendable, Equatable {
    /// `ssl_cert`: PEM certificate, optionally followed by its intermediates.
    public var certificatePath: String
    /// `ssl_key`: PEM private key; may be readable by root only, it is read when the context is built.
    public var keyPath: String
    /// `ssl_ca`: PEM CA certificates used to verify client certificates; they also complete the server's chain
    /// when the `ssl_cert` file holds the leaf alone.
    public var caPath: String?
    /// `ssl_min_protocol`: `TLSv1`, `TLSv1.1`, `TLSv1.2`, `TLSv1.3`, or `ANY`.
    public var minProtocol: String
    /// `ssl_cipher_list`: an OpenSSL cipher string for TLS 1.2 and below; nil keeps OpenSSL's default.
    public var cipherList: String?
    /// `ssl_prefer_server_ciphers`.
    public var preferServerCiphers: Bool
    /// `ssl_verify_client_cert`: ask for a client certificate and verify it against `caPath`.
    public var verifyClientCertificate: Bool
    /// `ssl_cert_username_field`: the subject field that names the user for SASL EXTERNAL (`commonName`,
    /// `x500UniqueIdentifier`, `emailAddress`, or any OpenSSL short/long name).
    public var certUsernameField: String

    public init(
        certificatePath: String,
        keyPath: String,
        caPath: String? = nil,
        minProtocol: String = "TLSv1.2",
        cipherList: String? = nil,
        preferServerCiphers: Bool = false,
        verifyClientCertificate: Bool = false,
        certUsernameField: String = "commonName"
    ) {
        self.certificatePath = certificatePath
        self.keyPath = keyPath
        self.caPath = caPath
        self.minProtocol = minProtocol
        self.cipherList = cipherList
        self.preferServerCiphers = preferServerCiphers
        self.verifyClientCertificate = verifyClientCertificate
        self.certUsernameField = certUsernameField
    }
}
