import Auth
import TLS

/// What `--version` prints, the same for both executables: the release, then the C libraries linked in
/// (the server is static, so a security release of OpenSSL or libcrypt needs a rebuild: README).
public enum BuildInfo {
    /// The release; CHANGELOG.md has one section per release, and the git tag is `v` + this.
    public static let version = "0.1.0"

    /// `NAME VERSION`, then one line per linked C library.
    public static func versionText(program: String) -> String {
        "\(program) \(version)\n\(OpenSSLVersion.text)\n\(CryptVersion.text)"
    }
}
