// RFC 7517 JSON Web Keys: the public keys an identity provider publishes at its `jwks_uri`. Only the members
// needed to verify signatures are read; private members (`d`, `p`, …) make a key unusable, since a file of
// public keys that holds a private one was put together by mistake.

/// One public key of a key set.
public struct JWK: Equatable, Sendable {
    /// `kid`.
    public var keyID: String?
    /// `kty`: RSA, EC or OKP.
    public var keyType: String
    /// `alg`, when the key is restricted to one algorithm.
    public var algorithm: String?
    /// `use`, when given (only `sig` keys verify tokens).
    public var use: String?
    /// `crv` (EC, OKP).
    public var curve: String?
    /// RSA modulus and exponent.
    public var n: [UInt8]?
    public var e: [UInt8]?
    /// EC coordinates, or the OKP public key (`x`).
    public var x: [UInt8]?
    public var y: [UInt8]?
    /// Why this key can never verify anything (nil when it may).
    public var unusable: String?

    /// A short name for messages: the kid, or the key's position in the file.
    public func label(index: Int) -> String {
        keyID.map { "kid \"\($0)\"" } ?? "key #\(index + 1) (no kid)"
    }

    /// Why this key cannot verify `algorithm` (nil when it can, as far as the JWK says).
    public func mismatch(with algorithm: JWSAlgorithm) -> String? {
        if let unusable { return unusable }
        if keyType != algorithm.keyType {
            return "it is a \(keyType) key and \(algorithm.rawValue) needs \(algorithm.keyType)"
        }
        if let own = self.algorithm, own != algorithm.rawValue {
            return "it is for \(own), the token uses \(algorithm.rawValue)"
        }
        if let use, use != "sig" { return "its use is \"\(use)\", not \"sig\"" }
        if let needed = algorithm.curve, curve != needed {
            return "its curve is \(curve ?? "missing"), \(algorithm.rawValue) needs \(needed)"
        }
        return nil
    }
}

/// Why a key set file cannot be used at all.
public enum JWKSetError: Error, Equatable, Sendable, CustomStringConvertible {
    case badJSON(JSONError)
    case noKeysArray

    public var description: String {
        switch self {
        case .badJSON(let error): "not valid JSON: \(error)"
        case .noKeysArray: "not a JWK set: no \"keys\" array at the top level"
        }
    }
}

/// A JWK set (`{"keys": [...]}`).
public struct JWKSet: Equatable, Sendable {
    public var keys: [JWK]

    /// Key set files larger than this are refused (providers publish a few keys, a few KB).
    public static let maxSize = 1 << 20

    public init(keys: [JWK]) {
        self.keys = keys
    }

    /// Reads a key set. Keys it cannot use are kept with their reason, so that `check-token` can say why a
    /// token's kid matched nothing usable.
    public init(parsing bytes: [UInt8]) throws(JWKSetError) {
        let value: JSONValue
        do {
            value = try JSONParser.parse(
                bytes, limits: JSONLimits(maxSize: Self.maxSize, maxDepth: 8, maxValues: 65536))
        } catch {
            throw .badJSON(error)
        }
        guard let object = value.object, case .array(let entries)? = object["keys"] else { throw .noKeysArray }
        keys = entries.map(Self.key)
    }

    static func key(_ value: JSONValue) -> JWK {
        var key = JWK(keyType: "")
        guard let object = value.object else {
            key.unusable = "the entry is not a JSON object"
            return key
        }
        var problems: [String] = []
        func text(_ name: String) -> String? {
            guard let member = object[name] else { return nil }
            guard let string = member.string else {
                problems.append("\"\(name)\" is not a string")
                return nil
            }
            return string
        }
        func octets(_ name: String) -> [UInt8]? {
            guard let string = text(name) else { return nil }
            guard let bytes = Base64URL.decode(Array(string.utf8)), !bytes.isEmpty else {
                problems.append("\"\(name)\" is not base64url")
                return nil
            }
            return bytes
        }
        key.keyID = text("kid")
        key.keyType = text("kty") ?? ""
        key.algorithm = text("alg")
        key.use = text("use")
        key.curve = text("crv")
        for name in ["d", "p", "q", "dp", "dq", "qi", "k"] where object[name] != nil {
            problems.append("it holds private or secret material (\"\(name)\")")
        }
        switch key.keyType {
        case "RSA":
            key.n = octets("n")
            key.e = octets("e")
            if key.n == nil || key.e == nil { problems.append("an RSA key needs \"n\" and \"e\"") }
        case "EC":
            key.x = octets("x")
            key.y = octets("y")
            if key.x == nil || key.y == nil { problems.append("an EC key needs \"x\" and \"y\"") }
        case "OKP":
            key.x = octets("x")
            if key.x == nil { problems.append("an OKP key needs \"x\"") }
        case "":
            problems.append("it has no \"kty\"")
        default:
            problems.append("key type \"\(key.keyType)\" is not supported")
        }
        if !problems.isEmpty { key.unusable = problems.joined(separator: "; ") }
        return key
    }

    /// The keys that may have signed a token with this `kid` and `alg`, with their positions, and for every
    /// other key whose kid matched, why it cannot. With a kid, only keys of that kid are candidates; without
    /// one, every key of the right type (RFC 7515 §4.1.4 leaves the choice to the verifier).
    public func candidates(
        keyID: String?, algorithm: JWSAlgorithm
    ) -> (
        usable: [(index: Int, key: JWK)], rejected: [(index: Int, key: JWK, reason: String)]
    ) {
        var usable: [(index: Int, key: JWK)] = []
        var rejected: [(index: Int, key: JWK, reason: String)] = []
        for (index, key) in keys.enumerated() {
            if let keyID, key.keyID != keyID { continue }
            if let reason = key.mismatch(with: algorithm) {
                rejected.append((index, key, reason))
            } else {
                usable.append((index, key))
            }
        }
        return (usable, rejected)
    }
}
