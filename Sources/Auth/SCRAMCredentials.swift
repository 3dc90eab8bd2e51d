/// What a SCRAM server stores for a user (RFC 5802 §3): the salt, the iteration count, StoredKey and ServerKey.
///
/// In the passwd-file they use Dovecot's format, so that a Dovecot passwd-file works unchanged:
/// `{SCRAM-SHA-256}iterations,base64(salt),base64(StoredKey),base64(ServerKey)`, iterations ≥ 4096.
public struct SCRAMCredentials: Equatable, Sendable {
    public var hash: SCRAMHash
    public var iterations: Int
    public var salt: [UInt8]
    public var storedKey: [UInt8]
    public var serverKey: [UInt8]

    /// The iteration count `hash-password` uses by default; also Dovecot's (and RFC 7677's) minimum.
    public static let defaultIterations = 4096
    /// Fewer iterations are refused, as Dovecot refuses them.
    public static let minimumIterations = 4096
    /// More are refused too: a typo in the passwd-file must not cost minutes of CPU per login.
    public static let maximumIterations = 10_000_000
    /// The salt length of new credentials (as Dovecot makes them).
    public static let saltLength = 16

    public init(hash: SCRAMHash, iterations: Int, salt: [UInt8], storedKey: [UInt8], serverKey: [UInt8]) {
        self.hash = hash
        self.iterations = iterations
        self.salt = salt
        self.storedKey = storedKey
        self.serverKey = serverKey
    }

    /// Derives the credentials from a password (RFC 5802 §3):
    /// SaltedPassword = Hi(password, salt, i); StoredKey = H(HMAC(SaltedPassword, "Client Key"));
    /// ServerKey = HMAC(SaltedPassword, "Server Key"). The password is used as given (no SASLprep; ASCII
    /// passwords are unchanged by it, and Dovecot does not apply it either).
    public init(hash: SCRAMHash, password: [UInt8], salt: [UInt8], iterations: Int) {
        var salted = hash.hi(password, salt: salt, iterations: iterations)
        self.init(hash: hash, saltedPassword: salted, salt: salt, iterations: iterations)
        CryptoSupport.wipe(&salted)
    }

    /// The credentials from SaltedPassword = Hi(password, salt, iterations), computed by the caller.
    init(hash: SCRAMHash, saltedPassword salted: [UInt8], salt: [UInt8], iterations: Int) {
        var clientKey = hash.hmac(key: salted, Self.clientKeyLabel)
        self.init(
            hash: hash, iterations: iterations, salt: salt, storedKey: hash.digest(clientKey),
            serverKey: hash.hmac(key: salted, Self.serverKeyLabel))
        CryptoSupport.wipe(&clientKey)
    }

    /// Fresh credentials with a random salt.
    public static func generate(
        hash: SCRAMHash, password: [UInt8], iterations: Int = defaultIterations
    )
        -> SCRAMCredentials
    {
        SCRAMCredentials(
            hash: hash, password: password, salt: CryptoSupport.randomBytes(saltLength), iterations: iterations)
    }

    static let clientKeyLabel = Array("Client Key".utf8)
    static let serverKeyLabel = Array("Server Key".utf8)

    /// Parses the data after the `{SCRAM-SHA-x}` tag; nil when it is not four well-formed fields with a
    /// supported iteration count and keys of the digest's size.
    public init?(hash: SCRAMHash, stored data: Substring) {
        let fields = data.split(separator: ",", omittingEmptySubsequences: false)
        guard fields.count == 4, !fields[0].isEmpty, fields[0].utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            fields[0].utf8.count <= 9, let iterations = Int(fields[0]),
            iterations >= Self.minimumIterations, iterations <= Self.maximumIterations,
            let salt = Base64.decode(Array(fields[1].utf8)), !salt.isEmpty,
            let storedKey = Base64.decode(Array(fields[2].utf8)), storedKey.count == hash.digestSize,
            let serverKey = Base64.decode(Array(fields[3].utf8)), serverKey.count == hash.digestSize
        else { return nil }
        self.init(hash: hash, iterations: iterations, salt: salt, storedKey: storedKey, serverKey: serverKey)
    }

    /// The stored SCRAM credentials of a passwd-file password field (`{SCRAM-SHA-1}…` or `{SCRAM-SHA-256}…`),
    /// whichever hash it uses; nil for any other scheme or a malformed field.
    public init?(passwordField: String) {
        let (scheme, data) = PasswordVerifier.split(passwordField)
        guard let scheme, let hash = SCRAMHash.allCases.first(where: { $0.mechanism == scheme }) else { return nil }
        self.init(hash: hash, stored: data)
    }

    /// The passwd-file field: `{SCRAM-SHA-256}4096,salt,StoredKey,ServerKey`.
    public var passwordField: String {
        let encode = { (bytes: [UInt8]) in String(decoding: Base64.encode(bytes), as: UTF8.self) }
        return "\(hash.tag)\(iterations),\(encode(salt)),\(encode(storedKey)),\(encode(serverKey))"
    }

    /// True when `password` derives these credentials (compares StoredKey in constant time).
    public func verify(_ password: [UInt8]) -> Bool {
        let derived = SCRAMCredentials(hash: hash, password: password, salt: salt, iterations: iterations)
        return CryptoSupport.constantTimeEqual(derived.storedKey, storedKey)
    }
}
