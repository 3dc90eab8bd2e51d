/// The password schemes `hash-password` can produce (the verifier also reads `{PLAIN}`/`{CLEARTEXT}`).
public enum PasswordScheme: String, CaseIterable, Sendable {
    /// yescrypt, stored as `{CRYPT}$y$…` (Debian's default for system passwords).
    case yescrypt = "YESCRYPT"
    /// SHA-512 crypt, `{SHA512-CRYPT}$6$…`.
    case sha512Crypt = "SHA512-CRYPT"
    /// SHA-256 crypt, `{SHA256-CRYPT}$5$…`.
    case sha256Crypt = "SHA256-CRYPT"
    /// bcrypt, `{BLF-CRYPT}$2b$…`.
    case blfCrypt = "BLF-CRYPT"
    /// MD5 crypt, `{MD5-CRYPT}$1$…` (weak; for compatibility only).
    case md5Crypt = "MD5-CRYPT"

    /// A scheme by name, case-insensitive; `CRYPT` means yescrypt.
    public init?(name: String) {
        let upper = name.uppercased()
        if upper == "CRYPT" {
            self = .yescrypt
            return
        }
        guard let scheme = PasswordScheme(rawValue: upper) else { return nil }
        self = scheme
    }

    /// The `{SCHEME}` tag written before the hash in the passwd-file.
    public var tag: String {
        switch self {
        case .yescrypt: "{CRYPT}"
        case .sha512Crypt, .sha256Crypt, .blfCrypt, .md5Crypt: "{\(rawValue)}"
        }
    }

    /// The crypt(3) prefix of this scheme's hashes.
    var cryptPrefix: String {
        switch self {
        case .yescrypt: "$y$"
        case .sha512Crypt: "$6$"
        case .sha256Crypt: "$5$"
        case .blfCrypt: "$2b$"
        case .md5Crypt: "$1$"
        }
    }

    /// The cost we ask for: libcrypt's default, except bcrypt, whose default (5) is too cheap today.
    var cost: UInt {
        switch self {
        case .blfCrypt: 10
        case .yescrypt, .sha512Crypt, .sha256Crypt, .md5Crypt: 0
        }
    }
}

/// Makes passwd-file password fields.
public enum PasswordHasher {
    /// The passwd-file field (`{SCHEME}hash`) for `password`, with a fresh random salt.
    public static func hash(_ password: [UInt8], scheme: PasswordScheme) throws(AuthError) -> String {
        guard !password.contains(0) else { throw .passwordContainsNUL }
        guard let setting = Crypt.makeSetting(prefix: scheme.cryptPrefix, count: scheme.cost),
            let hash = Crypt.hash(password, setting: setting)
        else { throw .hashingFailed(scheme: scheme.rawValue) }
        return scheme.tag + hash
    }
}
