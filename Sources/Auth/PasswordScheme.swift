internal import CArgon2

/// The password schemes `hash-password` can produce (the verifier reads every scheme `StoredPassword` knows).
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
    /// Argon2id through libargon2, Dovecot's `{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$salt$hash`.
    case argon2id = "ARGON2ID"
    /// Argon2i, Dovecot's `{ARGON2I}$argon2i$v=19$m=32768,t=4,p=1$salt$hash`.
    case argon2i = "ARGON2I"
    /// Dovecot's `{PBKDF2}$1$salt$rounds$hash`: PBKDF2-HMAC-SHA1, 20 octets in hex.
    case pbkdf2 = "PBKDF2"
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
        case .sha512Crypt, .sha256Crypt, .blfCrypt, .md5Crypt, .argon2id, .argon2i, .pbkdf2, .scramSHA256, .scramSHA1:
            "{\(rawValue)}"
        }
    }

    /// The SCRAM hash of a SCRAM scheme; nil for the others.
    public var scramHash: SCRAMHash? {
        switch self {
        case .scramSHA256: .sha256
        case .scramSHA1: .sha1
        case .yescrypt, .sha512Crypt, .sha256Crypt, .blfCrypt, .md5Crypt, .argon2id, .argon2i, .pbkdf2: nil
        }
    }

    /// True for the schemes libcrypt makes (their hash also works without the `{…}` tag).
    public var isCrypt: Bool { !cryptPrefix.isEmpty }

    /// The crypt(3) prefix of this scheme's hashes; "" for the others.
    var cryptPrefix: String {
        switch self {
        case .yescrypt: "$y$"
        case .sha512Crypt: "$6$"
        case .sha256Crypt: "$5$"
        case .blfCrypt: "$2b$"
        case .md5Crypt: "$1$"
        case .argon2id, .argon2i, .pbkdf2, .scramSHA256, .scramSHA1: ""
        }
    }

    /// The cost we ask for: libcrypt's default, except bcrypt, whose default (5) is too cheap today; Argon2's
    /// passes and PBKDF2's rounds as Dovecot makes them (Argon2) or well above its 5,000 (PBKDF2-SHA1 is fast).
    var cost: UInt {
        switch self {
        case .blfCrypt: 10
        case .argon2id: 3
        case .argon2i: 4
        case .pbkdf2: 100_000
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

    /// Like `hash(_:scheme:)` with a cost: the iteration count for SCRAM (default 4096, at least 4096) and
    /// PBKDF2, the passes for Argon2, the rounds/cost parameter libcrypt takes for the crypt schemes (nil: the
    /// scheme's default).
    public static func hash(_ password: [UInt8], scheme: PasswordScheme, rounds: UInt?) throws(AuthError) -> String {
        guard !password.contains(0) else { throw .passwordContainsNUL }
        if let scramHash = scheme.scramHash {
            let iterations = rounds.map { Int(clamping: $0) } ?? SCRAMCredentials.defaultIterations
            guard iterations >= SCRAMCredentials.minimumIterations, iterations <= SCRAMCredentials.maximumIterations
            else { throw .badRounds(scheme: scheme.rawValue, rounds: rounds ?? 0) }
            return SCRAMCredentials.generate(hash: scramHash, password: password, iterations: iterations).passwordField
        }
        let cost = rounds ?? scheme.cost
        switch scheme {
        case .argon2id, .argon2i:
            guard cost >= 1, cost <= StoredPassword.maxArgon2Passes else {
                throw .badRounds(scheme: scheme.rawValue, rounds: cost)
            }
            return scheme.tag + (try argon2(password, scheme: scheme, passes: UInt32(cost)))
        case .pbkdf2:
            guard cost >= 1, cost <= UInt(StoredPassword.maxRounds) else {
                throw .badRounds(scheme: scheme.rawValue, rounds: cost)
            }
            return scheme.tag + pbkdf2(password, rounds: Int(cost))
        case .yescrypt, .sha512Crypt, .sha256Crypt, .blfCrypt, .md5Crypt, .scramSHA256, .scramSHA1:
            guard let setting = Crypt.makeSetting(prefix: scheme.cryptPrefix, count: cost),
                let hash = Crypt.hash(password, setting: setting)
            else { throw .hashingFailed(scheme: scheme.rawValue) }
            return scheme.tag + hash
        }
    }

    /// Dovecot's parameters: ARGON2ID 64 MiB, ARGON2I 32 MiB, one lane, a 16-octet salt and a 32-octet hash.
    static func argon2(_ password: [UInt8], scheme: PasswordScheme, passes: UInt32) throws(AuthError) -> String {
        let memoryKiB: UInt32 = scheme == .argon2id ? 65536 : 32768
        let salt = CryptoSupport.randomBytes(16)
        let hashLength = 32
        let type = scheme == .argon2id ? Argon2_id : Argon2_i
        let size = argon2_encodedlen(passes, memoryKiB, 1, UInt32(salt.count), UInt32(hashLength), type)
        var encoded = [CChar](repeating: 0, count: size)
        let result = password.withUnsafeBytes { rawPassword in
            salt.withUnsafeBytes { rawSalt in
                encoded.withUnsafeMutableBufferPointer { buffer in
                    argon2_hash(
                        passes, memoryKiB, 1, rawPassword.baseAddress, rawPassword.count, rawSalt.baseAddress,
                        rawSalt.count, nil, hashLength, buffer.baseAddress, buffer.count, type,
                        UInt32(ARGON2_VERSION_13.rawValue))
                }
            }
        }
        guard result == ARGON2_OK.rawValue else { throw .hashingFailed(scheme: scheme.rawValue) }
        return String(decoding: encoded.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `$1$salt$rounds$hash` with a 16-character alphanumeric salt, as Dovecot makes it.
    static func pbkdf2(_ password: [UInt8], rounds: Int) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
        // 62 does not divide 256: drop the high values so that every character is equally likely.
        var salt: [UInt8] = []
        while salt.count < 16 {
            for byte in CryptoSupport.randomBytes(32) where byte < 248 && salt.count < 16 {
                salt.append(alphabet[Int(byte) % 62])
            }
        }
        let hash = SCRAMHash.sha1.hi(password, salt: salt, iterations: rounds)
        let hex = hash.map { byte in
            let digits = Array("0123456789abcdef".utf8)
            return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 15)]], as: UTF8.self)
        }
        return "$1$" + String(decoding: salt, as: UTF8.self) + "$\(rounds)$" + hex.joined()
    }
}
