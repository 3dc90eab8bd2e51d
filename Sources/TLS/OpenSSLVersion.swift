internal import COpenSSL

/// The OpenSSL linked into this executable (statically in the release server: it only changes by rebuilding).
public enum OpenSSLVersion {
    /// `OpenSSL 3.0.15 3 Sep 2024`, as `openssl version` prints it.
    public static var text: String { String(cString: OpenSSL_version(OPENSSL_VERSION)) }
}
