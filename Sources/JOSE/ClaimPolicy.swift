// RFC 7519 §4.1: which claims a bearer token must carry to log a user in, and the checks on them. Times are
// NumericDate seconds; the clock is the caller's, so the checks are plain functions of their inputs.

/// What a token's claims must satisfy.
public struct ClaimPolicy: Equatable, Sendable {
    /// `iss` must be one of these (compared exactly, as RFC 7519 §4.1.1 says: case-sensitive strings).
    public var issuers: [String]
    /// `aud` (a string or a list) must contain this.
    public var audience: String
    /// The claim whose string value is the login name (`email`, `preferred_username`, `sub`, …).
    public var usernameClaim: String
    /// Scopes the token must have (its `scope` string, space-separated, or its `scp` list).
    public var requiredScopes: [String]
    /// A claim that must be present with this value (`active` = true by default), when set.
    public var activeClaim: String?
    /// The value `activeClaim` must have, as JSON text or a bare string (`true`, `"enabled"`, `enabled`).
    public var activeValue: String
    /// Clock skew allowed on `exp`, `nbf` and `iat`, in seconds.
    public var leewaySeconds: Double

    public init(
        issuers: [String], audience: String, usernameClaim: String = "email", requiredScopes: [String] = [],
        activeClaim: String? = nil, activeValue: String = "true", leewaySeconds: Double = 30
    ) {
        self.issuers = issuers
        self.audience = audience
        self.usernameClaim = usernameClaim
        self.requiredScopes = requiredScopes
        self.activeClaim = activeClaim
        self.activeValue = activeValue
        self.leewaySeconds = leewaySeconds
    }

    /// The login name the claims give, or the first check they fail.
    public func check(_ claims: JSONObject, now: Double) -> Result<String, ClaimError> {
        do throws(ClaimError) {
            let exp = try time("exp", in: claims, required: true)
            if let exp, now > exp + leewaySeconds { throw .expired(exp: exp, now: now) }
            if let nbf = try time("nbf", in: claims, required: false), now + leewaySeconds < nbf {
                throw .notYetValid(nbf: nbf, now: now)
            }
            if let iat = try time("iat", in: claims, required: false), now + leewaySeconds < iat {
                throw .issuedInFuture(iat: iat, now: now)
            }
            let issuer = try text("iss", in: claims)
            guard issuers.contains(issuer) else { throw .wrongIssuer(found: issuer, accepted: issuers) }
            let audiences: [String]
            switch claims["aud"] {
            case nil: throw .missingClaim("aud")
            case .string(let one): audiences = [one]
            case .array(let list):
                audiences = try list.map { value throws(ClaimError) in
                    guard let string = value.string else { throw .wrongType("aud", expected: "strings") }
                    return string
                }
            case let other?:
                throw .wrongType("aud", expected: "a string or a list of strings, not \(other.kindDescription)")
            }
            guard audiences.contains(audience) else { throw .wrongAudience(found: audiences, expected: audience) }
            if !requiredScopes.isEmpty {
                let granted = try scopes(claims)
                let missing = requiredScopes.filter { !granted.contains($0) }
                if !missing.isEmpty { throw .missingScope(missing: missing, granted: granted) }
            }
            if let activeClaim {
                guard let value = claims[activeClaim] else { throw .missingClaim(activeClaim) }
                guard Self.matches(value, activeValue) else { throw .inactive(claim: activeClaim) }
            }
            let user = try text(usernameClaim, in: claims)
            guard !user.isEmpty, !user.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else {
                throw .unusableUsername(claim: usernameClaim)
            }
            return .success(user)
        } catch {
            return .failure(error)
        }
    }

    private func time(_ name: String, in claims: JSONObject, required: Bool) throws(ClaimError) -> Double? {
        guard let value = claims[name] else {
            if required { throw .missingClaim(name) }
            return nil
        }
        guard let number = value.number else { throw .wrongType(name, expected: "a number (NumericDate)") }
        return number
    }

    private func text(_ name: String, in claims: JSONObject) throws(ClaimError) -> String {
        guard let value = claims[name] else { throw .missingClaim(name) }
        guard let string = value.string else { throw .wrongType(name, expected: "a string") }
        return string
    }

    private func scopes(_ claims: JSONObject) throws(ClaimError) -> [String] {
        if let scope = claims["scope"] {
            guard let string = scope.string else { throw .wrongType("scope", expected: "a space-separated string") }
            return string.split(separator: " ").map(String.init)
        }
        if case .array(let list)? = claims["scp"] { return list.compactMap(\.string) }
        throw .missingClaim("scope")
    }

    static func matches(_ value: JSONValue, _ expected: String) -> Bool {
        switch value {
        case .bool(let flag): expected == (flag ? "true" : "false")
        case .string(let string): string == expected || "\"\(string)\"" == expected
        case .number(_, let text): text == expected
        case .null: expected == "null"
        case .array, .object: false
        }
    }
}

/// The first claim check a token failed.
public enum ClaimError: Error, Equatable, Sendable, CustomStringConvertible {
    case missingClaim(String)
    case wrongType(String, expected: String)
    case expired(exp: Double, now: Double)
    case notYetValid(nbf: Double, now: Double)
    case issuedInFuture(iat: Double, now: Double)
    case wrongIssuer(found: String, accepted: [String])
    case wrongAudience(found: [String], expected: String)
    case missingScope(missing: [String], granted: [String])
    case inactive(claim: String)
    case unusableUsername(claim: String)

    public var description: String {
        switch self {
        case .missingClaim(let name): "the token has no \"\(name)\" claim"
        case .wrongType(let name, let expected): "claim \"\(name)\" is not \(expected)"
        case .expired(let exp, let now): "the token expired \(Self.seconds(now - exp)) ago (exp \(Self.integer(exp)))"
        case .notYetValid(let nbf, let now):
            "the token is not valid for another \(Self.seconds(nbf - now)) (nbf \(Self.integer(nbf)))"
        case .issuedInFuture(let iat, let now):
            "the token is issued \(Self.seconds(iat - now)) in the future (iat \(Self.integer(iat)))"
        case .wrongIssuer(let found, let accepted):
            "issuer \"\(found)\" is not one of oauth2_issuers (\(accepted.map { "\"\($0)\"" }.joined(separator: ", ")))"
        case .wrongAudience(let found, let expected):
            "audience \(found.map { "\"\($0)\"" }.joined(separator: ", ")) does not contain \"\(expected)\""
        case .missingScope(let missing, let granted):
            "scope \(missing.joined(separator: " ")) missing (granted: \(granted.isEmpty ? "none" : granted.joined(separator: " ")))"
        case .inactive(let claim): "claim \"\(claim)\" does not have the required value"
        case .unusableUsername(let claim): "claim \"\(claim)\" is empty or holds control characters"
        }
    }

    static func integer(_ value: Double) -> String {
        value.magnitude < 1e15 ? String(Int64(value)) : String(value)
    }

    static func seconds(_ value: Double) -> String {
        "\(integer(value.rounded(.up))) s"
    }
}
