// OAuth 2.0 bearer tokens (RFC 6750) validated locally: a JWT (RFC 7519) signed with one of the identity
// provider's published keys (a JWK set file), whose claims satisfy the configured policy. No network: a
// login costs no round trip and works while the provider is unreachable.
public import JOSE

/// How bearer tokens are checked (the `oauth2_*` settings).
public struct OAuthConfiguration: Equatable, Sendable {
    /// `oauth2_jwks_file`: the provider's key set, re-read by every connection (keys rotate).
    public var jwksPath: String
    /// Issuer, audience, username claim, scope, active claim, leeway.
    public var policy: ClaimPolicy

    public init(jwksPath: String, policy: ClaimPolicy) {
        self.jwksPath = jwksPath
        self.policy = policy
    }
}

/// A token that passed every check.
public struct TokenAcceptance: Equatable, Sendable {
    /// The login name from the username claim.
    public var user: String
    /// Which key verified the signature (`kid "…"` or its position).
    public var key: String
    public var algorithm: JWSAlgorithm
}

/// Why a token was refused, precisely enough for an administrator (never shown to the client).
public enum TokenRejection: Error, Equatable, Sendable, CustomStringConvertible {
    /// The key set file could not be read or parsed.
    case keySetUnavailable(String)
    /// The token is not a well-formed JWS with an accepted algorithm.
    case malformed(TokenError)
    /// No key of the set can have signed it; the keys whose kid matched, with why they cannot.
    case noKey(keyID: String?, algorithm: JWSAlgorithm, rejected: [String])
    /// The signature verified with none of the candidate keys (each with OpenSSL's verdict).
    case badSignature(tried: [String])
    /// Signed correctly, but a claim check failed.
    case claims(ClaimError, key: String)
    /// The token's user may not be the one the client named (`a=` / `user=`).
    case userMismatch(token: String, named: String)

    public var description: String {
        switch self {
        case .keySetUnavailable(let why): "key set unusable: \(why)"
        case .malformed(let error): "malformed token: \(error)"
        case .noKey(let keyID, let algorithm, let rejected):
            (keyID.map { "no usable key with kid \"\($0)\" for \(algorithm.rawValue)" }
                ?? "no usable \(algorithm.keyType) key for \(algorithm.rawValue) (the token has no kid)")
                + (rejected.isEmpty ? " in the key set" : ": " + rejected.joined(separator: "; "))
        case .badSignature(let tried): "bad signature: " + tried.joined(separator: "; ")
        case .claims(let error, let key): "signature good (\(key)), but \(error)"
        case .userMismatch(let token, let named):
            "the token is for \"\(token)\" but the client logs in as \"\(named)\""
        }
    }

    /// The user the token names, when it got as far as saying so (for the log's `user=`).
    public var user: String? {
        if case .userMismatch(let token, _) = self { return token }
        return nil
    }

    /// The scope is what is missing (RFC 6750 §3.1 `insufficient_scope`) rather than a bad token.
    public var isInsufficientScope: Bool {
        if case .claims(.missingScope, _) = self { return true }
        return false
    }
}

/// The checks, in the order that explains best: form, key, signature, claims.
public enum BearerTokenValidator {
    public static func validate(
        token: [UInt8], keys: JWKSet, policy: ClaimPolicy, now: Double
    ) -> Result<TokenAcceptance, TokenRejection> {
        let jws: CompactJWS
        do {
            jws = try CompactJWS(token)
        } catch {
            return .failure(.malformed(error))
        }
        let (usable, rejected) = keys.candidates(keyID: jws.keyID, algorithm: jws.algorithm)
        guard !usable.isEmpty else {
            return .failure(
                .noKey(
                    keyID: jws.keyID, algorithm: jws.algorithm,
                    rejected: rejected.map { "\($0.key.label(index: $0.index)): \($0.reason)" }))
        }
        var tried: [String] = []
        for candidate in usable {
            let label = candidate.key.label(index: candidate.index)
            if let problem = JWSVerifier.verify(
                signature: jws.signature, over: jws.signingInput, algorithm: jws.algorithm, key: candidate.key)
            {
                tried.append("\(label): \(problem)")
                continue
            }
            switch policy.check(jws.claims, now: now) {
            case .success(let user):
                return .success(TokenAcceptance(user: user, key: label, algorithm: jws.algorithm))
            case .failure(let error):
                return .failure(.claims(error, key: label))
            }
        }
        return .failure(.badSignature(tried: tried))
    }
}

/// What the SASL bearer mechanisms (OAUTHBEARER, XOAUTH2) need: a validator and the scope to name in errors.
public struct BearerTokenChecker {
    /// `oauth2_scope`, sent back in the error challenge so that a client can ask for the right token.
    public var scope: String
    public var validate: ([UInt8]) -> Result<TokenAcceptance, TokenRejection>

    public init(scope: String, validate: @escaping ([UInt8]) -> Result<TokenAcceptance, TokenRejection>) {
        self.scope = scope
        self.validate = validate
    }
}
