import JOSE
import Testing

@Suite struct TokenTests {
    static func token(header: String, payload: String, signature: String = "c2ln") -> [UInt8] {
        Array(
            (Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(payload.utf8)) + "." + signature).utf8)
    }

    @Test("base64url round trip and strictness")
    func base64url() {
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            #expect(Base64URL.decode(Array(Base64URL.encode(bytes).utf8)) == bytes)
        }
        #expect(Base64URL.decode(Array("YQ".utf8)) == [0x61])
        for bad in ["YQ==", "Y", "YR", "Y+", "Y/", "Y Q", "YQ\n"] {
            #expect(Base64URL.decode(Array(bad.utf8)) == nil, "\(bad)")
        }
    }

    @Test(
        "refuses alg none, HMAC and unknown algorithms",
        arguments: [#"{"alg":"none"}"#, #"{"alg":"HS256"}"#, #"{"alg":"RS1"}"#, #"{"alg":"rs256"}"#, #"{"alg":1}"#])
    func algorithms(header: String) {
        #expect {
            try CompactJWS(Self.token(header: header, payload: "{}"))
        } throws: { error in
            if case .unsupportedAlgorithm = error as? TokenError { return true }
            return false
        }
    }

    @Test("form errors name the part")
    func formErrors() {
        #expect(throws: TokenError.notThreeParts(2)) { try CompactJWS(Array("a.b".utf8)) }
        let header = Base64URL.encode(Array(#"{"alg":"ES256"}"#.utf8))
        #expect(throws: TokenError.badBase64url(part: "payload")) { try CompactJWS(Array("\(header).e30=.c2ln".utf8)) }
        #expect(throws: TokenError.badBase64url(part: "signature")) { try CompactJWS(Array("\(header).e30.c2l".utf8)) }
        #expect(throws: TokenError.notAnObject(part: "payload")) {
            try CompactJWS(Self.token(header: #"{"alg":"ES256"}"#, payload: "[]"))
        }
        #expect(throws: TokenError.missingHeader("alg")) { try CompactJWS(Self.token(header: "{}", payload: "{}")) }
        #expect(throws: TokenError.tooLong(limit: CompactJWS.maxLength)) {
            try CompactJWS([UInt8](repeating: 0x41, count: 100_000))
        }
        #expect {
            try CompactJWS(Self.token(header: #"{"alg":"ES256","crit":["b64"]}"#, payload: "{}"))
        } throws: { error in
            if case .unsupportedHeader = error as? TokenError { return true }
            return false
        }
    }

    static let policy = ClaimPolicy(issuers: ["https://a", "https://b"], audience: "sieve", leewaySeconds: 30)

    static func claims(_ text: String) -> JSONObject {
        try! JSONParser.parse(Array(text.utf8)).object!
    }

    @Test("claim checks, each with its own error")
    func claimChecks() {
        let now = 1000.0
        let good = #""iss":"https://b","aud":["x","sieve"],"email":"u@example.com""#
        #expect(Self.policy.check(Self.claims("{\(good),\"exp\":1100}"), now: now) == .success("u@example.com"))
        #expect(Self.policy.check(Self.claims("{\(good),\"exp\":980}"), now: now) == .success("u@example.com"))
        #expect(
            Self.policy.check(Self.claims("{\(good),\"exp\":960}"), now: now)
                == .failure(.expired(exp: 960, now: now)))
        #expect(Self.policy.check(Self.claims("{\(good)}"), now: now) == .failure(.missingClaim("exp")))
        #expect(
            Self.policy.check(Self.claims("{\(good),\"exp\":2000,\"nbf\":1031}"), now: now)
                == .failure(.notYetValid(nbf: 1031, now: now)))
        #expect(
            Self.policy.check(Self.claims("{\(good),\"exp\":2000,\"iat\":1100}"), now: now)
                == .failure(.issuedInFuture(iat: 1100, now: now)))
        #expect(
            Self.policy.check(Self.claims(#"{"iss":"https://c","aud":"sieve","exp":2000}"#), now: now)
                == .failure(.wrongIssuer(found: "https://c", accepted: ["https://a", "https://b"])))
        #expect(
            Self.policy.check(Self.claims(#"{"iss":"https://a","aud":"other","exp":2000}"#), now: now)
                == .failure(.wrongAudience(found: ["other"], expected: "sieve")))
        #expect(
            Self.policy.check(Self.claims(#"{"iss":"https://a","aud":"sieve","exp":"2000"}"#), now: now)
                == .failure(.wrongType("exp", expected: "a number (NumericDate)")))
        #expect(
            Self.policy.check(Self.claims(#"{"iss":"https://a","aud":"sieve","exp":2000}"#), now: now)
                == .failure(.missingClaim("email")))
        #expect(
            Self.policy.check(Self.claims(#"{"iss":"https://a","aud":"sieve","exp":2000,"email":"a\nb"}"#), now: now)
                == .failure(.unusableUsername(claim: "email")))
    }

    @Test("scope and active claims")
    func scopeAndActive() {
        var policy = Self.policy
        policy.requiredScopes = ["sieve"]
        policy.activeClaim = "active"
        let base = #""iss":"https://a","aud":"sieve","exp":2000,"email":"u""#
        #expect(
            policy.check(Self.claims("{\(base),\"scope\":\"openid sieve\",\"active\":true}"), now: 0) == .success("u"))
        #expect(policy.check(Self.claims("{\(base),\"scp\":[\"sieve\"],\"active\":true}"), now: 0) == .success("u"))
        #expect(
            policy.check(Self.claims("{\(base),\"scope\":\"openid\",\"active\":true}"), now: 0)
                == .failure(.missingScope(missing: ["sieve"], granted: ["openid"])))
        #expect(
            policy.check(Self.claims("{\(base),\"scope\":\"sieve\",\"active\":false}"), now: 0)
                == .failure(.inactive(claim: "active")))
    }
}
