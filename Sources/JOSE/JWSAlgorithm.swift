// RFC 7518 §3 and RFC 8037 §3.1: the JWS algorithms accepted for bearer tokens. Only asymmetric ones: a
// server that holds public keys must never accept "none" or an HMAC made with a public key as its secret.

/// A signature algorithm of a JWS header's `alg`.
public enum JWSAlgorithm: String, CaseIterable, Sendable {
    case rs256 = "RS256", rs384 = "RS384", rs512 = "RS512"
    case ps256 = "PS256", ps384 = "PS384", ps512 = "PS512"
    case es256 = "ES256", es384 = "ES384", es512 = "ES512"
    case edDSA = "EdDSA"

    /// The digest, by its OpenSSL name; nil for EdDSA (it hashes internally).
    public var digestName: String? {
        switch self {
        case .rs256, .ps256, .es256: "SHA256"
        case .rs384, .ps384, .es384: "SHA384"
        case .rs512, .ps512, .es512: "SHA512"
        case .edDSA: nil
        }
    }

    /// The JWK `kty` a key for this algorithm has.
    public var keyType: String {
        switch self {
        case .rs256, .rs384, .rs512, .ps256, .ps384, .ps512: "RSA"
        case .es256, .es384, .es512: "EC"
        case .edDSA: "OKP"
        }
    }

    /// The JWK `crv` a key for this algorithm has; nil for RSA.
    public var curve: String? {
        switch self {
        case .es256: "P-256"
        case .es384: "P-384"
        case .es512: "P-521"
        case .edDSA: "Ed25519"
        case .rs256, .rs384, .rs512, .ps256, .ps384, .ps512: nil
        }
    }

    /// RSASSA-PSS (salt as long as the digest, MGF1 with the same digest) rather than PKCS #1 v1.5.
    public var isPSS: Bool { self == .ps256 || self == .ps384 || self == .ps512 }

    /// ECDSA's JWS signature is r || s, each this many octets (RFC 7518 §3.4); nil for other algorithms.
    public var ecdsaCoordinateLength: Int? {
        switch self {
        case .es256: 32
        case .es384: 48
        case .es512: 66
        default: nil
        }
    }
}
