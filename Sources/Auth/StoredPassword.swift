internal import CArgon2
internal import COpenSSL

/// A passwd-file password field read the way Dovecot reads it, so that hashes made by `doveadm pw` work
/// unchanged: `{SCHEME}data`, where a `.HEX`, `.B64` or `.BASE64` suffix on the scheme names the encoding of
/// the data; a field without `{…}` is a crypt(3) hash (Dovecot's passwd-file default scheme, CRYPT).
///
/// Fixed-length digests in their default encoding are read as Dovecot guesses them: hex when the text is
/// exactly twice the digest's length (and valid hex), base64 otherwise. Base64 must be canonical and padded,
/// as Dovecot requires.
public struct StoredPassword: Sendable {
    /// The scheme's canonical name, without an encoding suffix (`CRYPT` for a bare crypt hash).
    public let scheme: String
    let form: Form

    /// What is compared with a password, already decoded.
    enum Form: Sendable {
        /// A whole crypt(3) hash (`$6$…`, `$y$…`, `$2b$…`, DES): libcrypt recomputes it.
        case crypt(String)
        /// The password itself.
        case cleartext([UInt8])
        /// Dovecot's PLAIN-TRUNC: the password as stored, which was cut at `length` octets when stored.
        case truncatedCleartext(length: Int, [UInt8])
        /// An unsalted digest of the password.
        case digest(Digest, [UInt8])
        /// digest(password ‖ salt) followed by the salt (SSHA, SSHA256, SSHA512, SMD5).
        case salted(Digest, digest: [UInt8], salt: [UInt8])
        /// HMAC-MD5's precomputed contexts for the password as key: the outer then the inner MD5 chaining
        /// values, each as four little-endian 32-bit words (CRAM-MD5 and HMAC-MD5).
        case hmacMD5Context([UInt8])
        /// MD5 of `user:realm:password` (DIGEST-MD5; the realm is the part of the login name after its last `@`).
        case digestMD5([UInt8])
        /// PBKDF2-HMAC-SHA1 of the password with the salt's text, 20 octets.
        case pbkdf2(salt: [UInt8], rounds: Int, hash: [UInt8])
        /// An Argon2 PHC string (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`), checked by libargon2.
        case argon2(Argon2Kind, String)
        /// Dovecot's SCRAM credentials (which also verify a plaintext password).
        case scram(SCRAMCredentials)
    }

    /// The digests Dovecot's unsalted and salted schemes use.
    enum Digest: Sendable {
        case md4, md5, sha1, sha256, sha512

        var size: Int {
            switch self {
            case .md4, .md5: 16
            case .sha1: 20
            case .sha256: 32
            case .sha512: 64
            }
        }
    }

    /// The two Argon2 variants Dovecot offers.
    enum Argon2Kind: Sendable {
        case argon2i, argon2id
    }

    /// Why a password field cannot be used.
    public enum Problem: Error, Equatable, Sendable, CustomStringConvertible {
        /// No scheme of that name exists here (nor in Dovecot).
        case unknownScheme(String)
        /// Dovecot has the scheme, but a plaintext password cannot be checked against it here.
        case unsupportedScheme(String, why: String)
        /// The scheme is known but its data is not in the scheme's format.
        case malformed(scheme: String, why: String)

        /// The scheme named by the field.
        public var scheme: String {
            switch self {
            case .unknownScheme(let scheme), .unsupportedScheme(let scheme, _), .malformed(let scheme, _): scheme
            }
        }

        public var description: String {
            switch self {
            case .unknownScheme(let scheme): "unknown password scheme {\(scheme)}"
            case .unsupportedScheme(let scheme, let why): "password scheme {\(scheme)} is not supported: \(why)"
            case .malformed(let scheme, let why): "malformed {\(scheme)} password: \(why)"
            }
        }
    }

    /// What is wrong with a field's data (a string literal makes one).
    struct Why: Error, ExpressibleByStringInterpolation {
        var text: String
        init(stringLiteral value: String) { text = value }
        init(stringInterpolation: DefaultStringInterpolation) {
            text = String(stringInterpolation: stringInterpolation)
        }
    }

    /// How the data after the scheme is encoded.
    enum Encoding {
        case none, hex, base64
    }

    /// The most PBKDF2 rounds or SCRAM iterations accepted: a typo must not cost minutes of CPU per login.
    static let maxRounds = 10_000_000
    /// Argon2 parameters above these are refused for the same reason (4 GiB of memory, 1,000 passes, 64 lanes).
    static let maxArgon2MemoryKiB: UInt64 = 4 << 20
    static let maxArgon2Passes: UInt64 = 1000
    static let maxArgon2Lanes: UInt64 = 64

    /// Reads a password field. An empty field, or one whose data is empty, is malformed: it never verifies.
    public static func parse(_ field: String) -> Result<StoredPassword, Problem> {
        let (tag, data) = PasswordVerifier.split(field)
        guard let tag else {
            guard !data.isEmpty else { return .failure(.malformed(scheme: "CRYPT", why: "the field is empty")) }
            switch Kind.crypt(prefixes: []).form(Array(data.utf8), scheme: "CRYPT") {
            case .success(let form): return .success(StoredPassword(scheme: "CRYPT", form: form))
            case .failure(let why): return .failure(.malformed(scheme: "CRYPT", why: why.text))
            }
        }
        var name = tag
        var suffix: Encoding? = nil
        if let dot = tag.lastIndex(of: ".") {
            switch tag[tag.index(after: dot)...] {
            case "HEX": suffix = .hex
            case "B64", "BASE64": suffix = .base64
            default: return .failure(.unknownScheme(tag))
            }
            name = String(tag[..<dot])
        }
        guard let kind = Kind(name) else {
            if let why = Kind.unsupported(name) { return .failure(.unsupportedScheme(name, why: why)) }
            return .failure(.unknownScheme(name))
        }
        guard !data.isEmpty else { return .failure(.malformed(scheme: name, why: "no data after the scheme")) }
        let raw: [UInt8]
        switch decode(
            Array(data.utf8), encoding: suffix ?? kind.defaultEncoding, rawLength: kind.rawLength,
            guessing: suffix == nil)
        {
        case .success(let bytes): raw = bytes
        case .failure(let why): return .failure(.malformed(scheme: name, why: why.text))
        }
        switch kind.form(raw, scheme: name) {
        case .success(let form): return .success(StoredPassword(scheme: name, form: form))
        case .failure(let why): return .failure(.malformed(scheme: name, why: why.text))
        }
    }

    /// Why this scheme is weak (fast to guess, or the password is readable), nil when it is not.
    public var weakness: String? {
        switch form {
        case .cleartext, .truncatedCleartext: "the password is stored in cleartext"
        case .digest(.md4, _): "an unsalted MD4 digest"
        case .digest(.md5, _), .hmacMD5Context, .digestMD5: "an unsalted MD5 digest"
        case .digest: "an unsalted digest"
        case .salted(.md5, _, _): "an MD5 digest"
        case .crypt(let hash):
            if hash.hasPrefix("$1$") {
                "MD5-crypt"
            } else if !hash.hasPrefix("$") && !hash.hasPrefix("_") {
                "DES crypt (8 characters of the password count)"
            } else if hash.hasPrefix("_") {
                "BSDi extended DES crypt"
            } else {
                nil
            }
        case .salted, .pbkdf2, .argon2, .scram: nil
        }
    }

    /// True when `password` is the one this field was made from. `user` is the login name (DIGEST-MD5 hashes
    /// it with the password). The final comparison takes the same time wherever the first difference is.
    func matches(_ password: [UInt8], user: String) -> Bool {
        switch form {
        case .crypt(let hash):
            guard let computed = Crypt.hash(password, setting: hash) else { return false }
            return CryptoSupport.constantTimeEqual(Array(computed.utf8), Array(hash.utf8))
        case .cleartext(let stored):
            return PasswordVerifier.constantTimeEqual(password, stored)
        case .truncatedCleartext(let length, let stored):
            // Dovecot: a password at least as long as the cut accepts when its first `length` octets match.
            if stored.count == length && password.count >= length {
                return PasswordVerifier.constantTimeEqual(Array(password.prefix(length)), stored)
            }
            return PasswordVerifier.constantTimeEqual(password, stored)
        case .digest(let digest, let stored):
            return CryptoSupport.constantTimeEqual(Self.hash(digest, password), stored)
        case .salted(let digest, let stored, let salt):
            return CryptoSupport.constantTimeEqual(Self.hash(digest, password + salt), stored)
        case .hmacMD5Context(let stored):
            return CryptoSupport.constantTimeEqual(Self.hmacMD5Context(password), stored)
        case .digestMD5(let stored):
            var name = Substring(user)
            var realm: Substring = ""
            if let at = user.lastIndex(of: "@") {
                name = user[..<at]
                realm = user[user.index(after: at)...]
            }
            let input = Array(name.utf8) + [0x3A] + Array(realm.utf8) + [0x3A] + password
            return CryptoSupport.constantTimeEqual(Self.hash(.md5, input), stored)
        case .pbkdf2(let salt, let rounds, let stored):
            return CryptoSupport.constantTimeEqual(SCRAMHash.sha1.hi(password, salt: salt, iterations: rounds), stored)
        case .argon2(let kind, let encoded):
            return Self.argon2Verify(kind, encoded: encoded, password: password)
        case .scram(let credentials):
            return credentials.verify(password)
        }
    }

    // MARK: schemes

    /// The schemes read here, as Dovecot's table describes them.
    enum Kind {
        case crypt(prefixes: [String]), cleartext, truncatedCleartext, digest(Digest), salted(Digest)
        case md5, hmacMD5, digestMD5, pbkdf2, argon2(Argon2Kind), scram(SCRAMHash)

        init?(_ name: String) {
            switch name {
            case "CRYPT", "DES-CRYPT": self = .crypt(prefixes: [])
            case "MD5-CRYPT": self = .crypt(prefixes: ["$1$"])
            case "SHA256-CRYPT": self = .crypt(prefixes: ["$5$"])
            case "SHA512-CRYPT": self = .crypt(prefixes: ["$6$"])
            case "BLF-CRYPT": self = .crypt(prefixes: ["$2"])
            case "PLAIN", "CLEAR", "CLEARTEXT": self = .cleartext
            case "PLAIN-TRUNC": self = .truncatedCleartext
            case "SHA", "SHA1": self = .digest(.sha1)
            case "SHA256": self = .digest(.sha256)
            case "SHA512": self = .digest(.sha512)
            case "PLAIN-MD5", "LDAP-MD5": self = .digest(.md5)
            case "PLAIN-MD4": self = .digest(.md4)
            case "SSHA": self = .salted(.sha1)
            case "SSHA256": self = .salted(.sha256)
            case "SSHA512": self = .salted(.sha512)
            case "SMD5": self = .salted(.md5)
            case "MD5": self = .md5
            case "CRAM-MD5", "HMAC-MD5": self = .hmacMD5
            case "DIGEST-MD5": self = .digestMD5
            case "PBKDF2": self = .pbkdf2
            case "ARGON2I": self = .argon2(.argon2i)
            case "ARGON2ID": self = .argon2(.argon2id)
            case "SCRAM-SHA-1": self = .scram(.sha1)
            case "SCRAM-SHA-256": self = .scram(.sha256)
            default: return nil
            }
        }

        /// Why a scheme Dovecot knows cannot be used here; nil for a name Dovecot does not know either.
        static func unsupported(_ name: String) -> String? {
            switch name {
            case "OTP", "SKEY": "one-time passwords change at every login; a passwd-file cannot follow them"
            case "RPA", "LANMAN", "NTLM": "an obsolete Windows/CompuServe scheme"
            default: nil
            }
        }

        var defaultEncoding: Encoding {
            switch self {
            case .digest(.md5), .digest(.md4), .hmacMD5, .digestMD5: .hex
            case .digest, .salted: .base64
            case .crypt, .cleartext, .truncatedCleartext, .md5, .pbkdf2, .argon2, .scram: .none
            }
        }

        /// The decoded length the scheme requires (0: any).
        var rawLength: Int {
            switch self {
            case .digest(let digest): digest.size
            case .hmacMD5: 32
            case .digestMD5: 16
            case .crypt, .cleartext, .truncatedCleartext, .salted, .md5, .pbkdf2, .argon2, .scram: 0
            }
        }

        func form(_ raw: [UInt8], scheme: String) -> Result<Form, Why> {
            switch self {
            case .crypt(let prefixes):
                guard let hash = String(validating: raw, as: UTF8.self) else { return .failure("not UTF-8") }
                guard prefixes.isEmpty || prefixes.contains(where: { hash.hasPrefix($0) }) else {
                    return .failure("a \(scheme) hash starts with \(prefixes[0])")
                }
                guard !hash.hasPrefix("!"), !hash.hasPrefix("*") else {
                    return .failure("a locked account's hash (starts with \(hash.prefix(1))); no password matches")
                }
                guard Crypt.isKnownFormat(hash) else { return .failure("libcrypt does not know this hash format") }
                return .success(.crypt(hash))
            case .cleartext:
                return .success(.cleartext(raw))
            case .truncatedCleartext:
                // <length>-<password>
                guard let dash = raw.firstIndex(of: 0x2D), dash > 0, dash <= 6,
                    raw[..<dash].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 })
                else { return .failure("missing the '<length>-' prefix (Dovecot cannot verify this field either)") }
                let length = raw[..<dash].reduce(0) { $0 * 10 + Int($1 - 0x30) }
                return .success(.truncatedCleartext(length: length, Array(raw[(dash + 1)...])))
            case .digest(let digest):
                return .success(.digest(digest, raw))
            case .salted(let digest):
                guard raw.count > digest.size else { return .failure("shorter than a digest and a salt") }
                return .success(
                    .salted(digest, digest: Array(raw.prefix(digest.size)), salt: Array(raw.dropFirst(digest.size))))
            case .md5:
                // Dovecot's MD5 is MD5-crypt when the data says so, otherwise PLAIN-MD5 (hex or base64).
                if raw.starts(with: Array("$1$".utf8)) {
                    return Kind.crypt(prefixes: ["$1$"]).form(raw, scheme: scheme)
                }
                switch StoredPassword.decode(raw, encoding: .hex, rawLength: 16, guessing: true) {
                case .success(let digest): return .success(.digest(.md5, digest))
                case .failure: return .failure("neither an MD5-crypt hash nor a hex or base64 MD5 digest")
                }
            case .hmacMD5:
                return .success(.hmacMD5Context(raw))
            case .digestMD5:
                return .success(.digestMD5(raw))
            case .pbkdf2:
                return Self.parsePBKDF2(raw)
            case .argon2(let kind):
                return Self.parseArgon2(raw, kind: kind)
            case .scram(let hash):
                guard let text = String(validating: raw, as: UTF8.self),
                    let credentials = SCRAMCredentials(hash: hash, stored: Substring(text))
                else {
                    return .failure(
                        "expected iterations,salt,StoredKey,ServerKey with 4096 to 10000000 iterations")
                }
                return .success(.scram(credentials))
            }
        }

        /// `$1$salt$rounds$hash`: the salt is used as text, the hash is 20 octets in hex.
        static func parsePBKDF2(_ raw: [UInt8]) -> Result<Form, Why> {
            let fields = raw.split(separator: 0x24, omittingEmptySubsequences: false)
            guard fields.count == 5, fields[0].isEmpty, fields[1].elementsEqual([0x31]) else {
                return .failure("expected $1$salt$rounds$hash")
            }
            guard !fields[3].isEmpty, fields[3].count <= 9, fields[3].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                return .failure("the rounds are not a number")
            }
            let rounds = fields[3].reduce(0) { $0 * 10 + Int($1 - 0x30) }
            guard rounds >= 1, rounds <= StoredPassword.maxRounds else {
                return .failure("\(rounds) rounds are out of range (1 to \(StoredPassword.maxRounds))")
            }
            guard let hash = StoredPassword.hexDecode(fields[4]), hash.count == 20 else {
                return .failure("the hash is not 40 hex digits")
            }
            return .success(.pbkdf2(salt: Array(fields[2]), rounds: rounds, hash: hash))
        }

        /// `$argon2id$v=19$m=65536,t=3,p=1$salt$hash`, with its cost parameters bounded.
        static func parseArgon2(_ raw: [UInt8], kind: Argon2Kind) -> Result<Form, Why> {
            guard let text = String(validating: raw, as: UTF8.self) else { return .failure("not UTF-8") }
            let fields = text.split(separator: "$", omittingEmptySubsequences: false)
            let name = kind == .argon2i ? "argon2i" : "argon2id"
            guard fields.count == 6, fields[0].isEmpty, fields[1] == name else {
                return .failure("expected $\(name)$v=19$m=…,t=…,p=…$salt$hash")
            }
            var parameters: [Substring: UInt64] = [:]
            for item in fields[3].split(separator: ",") {
                let pair = item.split(separator: "=", maxSplits: 1)
                guard pair.count == 2, pair[1].count <= 12, let value = UInt64(pair[1]) else {
                    return .failure("bad parameter '\(item)'")
                }
                parameters[pair[0]] = value
            }
            guard let memory = parameters["m"], let passes = parameters["t"], let lanes = parameters["p"] else {
                return .failure("the m, t and p parameters are required")
            }
            guard memory <= StoredPassword.maxArgon2MemoryKiB, passes <= StoredPassword.maxArgon2Passes,
                lanes <= StoredPassword.maxArgon2Lanes
            else { return .failure("the cost parameters are too large (m ≤ 4 GiB, t ≤ 1000, p ≤ 64)") }
            return .success(.argon2(kind, text))
        }
    }

    // MARK: primitives

    /// Decodes `text` as Dovecot does; with `guessing`, a fixed-length digest is hex when the text has exactly
    /// twice its length and is valid hex, base64 otherwise.
    static func decode(_ text: [UInt8], encoding: Encoding, rawLength: Int, guessing: Bool) -> Result<[UInt8], Why> {
        var encoding = encoding
        if guessing && encoding != .none && rawLength != 0 {
            encoding = text.count == rawLength * 2 && hexDecode(text[...]) != nil ? .hex : .base64
        }
        let raw: [UInt8]
        switch encoding {
        case .none:
            raw = text
        case .hex:
            guard let decoded = hexDecode(text[...]) else { return .failure("not valid hex") }
            raw = decoded
        case .base64:
            guard let decoded = Base64.decode(text) else { return .failure("not valid (padded) base64") }
            raw = decoded
        }
        guard rawLength == 0 || raw.count == rawLength else {
            return .failure("\(raw.count) octets instead of \(rawLength)")
        }
        return .success(raw)
    }

    static func hexDecode(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        guard text.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: c - 0x30
            case 0x41...0x46: c - 0x41 + 10
            case 0x61...0x66: c - 0x61 + 10
            default: nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(text.count / 2)
        var index = text.startIndex
        while index < text.endIndex {
            guard let high = nibble(text[index]), let low = nibble(text[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    static func hash(_ digest: Digest, _ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: digest.size)
        switch digest {
        case .md4:
            let ok = data.withUnsafeBufferPointer { shim_MD4($0.baseAddress, $0.count, &out) }
            precondition(ok == 1, "MD4 failed")
        case .md5, .sha1, .sha256, .sha512:
            let md: OpaquePointer? =
                switch digest {
                case .md5: EVP_md5()
                case .sha1: EVP_sha1()
                case .sha256: EVP_sha256()
                case .sha512, .md4: EVP_sha512()
                }
            var length: UInt32 = 0
            let ok = data.withUnsafeBytes { raw in EVP_Digest(raw.baseAddress, raw.count, &out, &length, md, nil) }
            precondition(ok == 1 && Int(length) == digest.size, "EVP_Digest failed")
        }
        return out
    }

    /// HMAC-MD5's two precomputed contexts for `key` (RFC 2104): the MD5 state after the block key ⊕ opad, then
    /// after key ⊕ ipad, each word little-endian. A key longer than a block is replaced by its MD5 first.
    static func hmacMD5Context(_ password: [UInt8]) -> [UInt8] {
        var key = password.count > 64 ? hash(.md5, password) : password
        key += [UInt8](repeating: 0, count: 64 - key.count)
        var out: [UInt8] = []
        for pad: UInt8 in [0x5C, 0x36] {
            var block = key.map { $0 ^ pad }
            var state = [UInt32](repeating: 0, count: 4)
            block.withUnsafeBufferPointer { shim_MD5_state_after_block($0.baseAddress, &state) }
            for word in state {
                out += [UInt8(word & 0xFF), UInt8(word >> 8 & 0xFF), UInt8(word >> 16 & 0xFF), UInt8(word >> 24)]
            }
            CryptoSupport.wipe(&block)
        }
        CryptoSupport.wipe(&key)
        return out
    }

    static func argon2Verify(_ kind: Argon2Kind, encoded: String, password: [UInt8]) -> Bool {
        let result = encoded.withCString { cEncoded in
            password.withUnsafeBytes { raw in
                switch kind {
                case .argon2i: argon2i_verify(cEncoded, raw.baseAddress, raw.count)
                case .argon2id: argon2id_verify(cEncoded, raw.baseAddress, raw.count)
                }
            }
        }
        return result == ARGON2_OK.rawValue
    }
}
