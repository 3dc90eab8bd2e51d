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
    /// Dovecot's `{SCRAM-SHA-256}iterations,salt,StoredKey,ServerKey`: serves SCRAM-SHA-256 as well as PLAIN/LOGIN.
    case scramSHA256 = "SCRAM-SHA-256"
    /// Dovecot's `{SCRAM-SHA-1}…`: serves SCRAM-SHA-1 as well as PLAIN/LOGIN.
    case scramSHA1 = "SCRAM-SHA-1"

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
        case .sha512Crypt, .sha256Crypt, .blfCrypt, .md5Crypt, .scramSHA256, .scramSHA1: "{\(rawValue)}"
        }
    }

    /// The SCRAM hash of a SCRAM scheme; nil for the crypt(3) schemes.
    public var scramHash: SCRAMHash? {
        switch self {
        case .scramSHA256: .sha256
        case .scramSHA1: .sha1
        case .yescrypt, .sha512Crypt, .sha256Crypt, .blfCrypt, .md5Crypt: nil
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
        case .scramSHA256, .scramSHA1: ""
        }
    }

    /// The cost we ask for: libcrypt's default, except bcrypt, whose default (5) is too cheap today.
    var cost: UInt {
        switch self {
        case .blfCrypt: 10
        case .yescrypt, .sha512Crypt, .sha256Crypt, .md5Crypt, .scramSHA256, .scramSHA1: 0
        }
    }
}

/// Makes passwd-file password fields.
public enum PasswordHasher {
    /// The passwd-file field (`{SCHEME}hash`) for `password`, with a fresh random salt.
    public static func hash(_ password: [UInt8], scheme: PasswordScheme) throws(AuthError) -> String {
        try hash(password, scheme: scheme, rounds: nil)
    }

    /// Like `hash(_:scheme:)` with a cost: the iteration count for SCRAM (default 4096, at least 4096), the
    /// rounds/cost parameter libcrypt takes for the crypt schemes (nil: the scheme's default).
    public static func hash(_ password: [UInt8], scheme: PasswordScheme, rounds: UInt?) throws(AuthError) -> String {
        guard !password.contains(0) else { throw .passwordContainsNUL }
        if let scramHash = scheme.scramHash {
            let iterations = rounds.map { Int(clamping: $0) } ?? SCRAMCredentials.defaultIterations
            guard iterations >= SCRAMCredentials.minimumIterations, iterations <= SCRAMCredentials.maximumIterations
            else { throw .badRounds(scheme: scheme.rawValue, rounds: rounds ?? 0) }
            return SCRAMCredentials.generate(hash: scramHash, password: password, iterations: iterations).passwordField
        }
        let cost = rounds ?? scheme.cost
        guard let setting = Crypt.makeSetting(prefix: scheme.cryptPrefix, count: cost),
            let hash = Crypt.hash(password, setting: setting)
        else { throw .hashingFailed(scheme: scheme.rawValue) }
        return scheme.tag + hash
    }
}
