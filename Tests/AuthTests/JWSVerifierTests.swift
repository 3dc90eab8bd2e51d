import Auth
import JOSE
import Testing

@Suite struct JWSVerifierTests {
    static let keys = try! JWKSet(parsing: Array(JWSVectors.keySet.utf8))
    static let policy = ClaimPolicy(issuers: ["https://sso.example.com/realms/mail"], audience: "managesieve")
    static let now = 1_800_000_000.0

    static func validate(_ token: String, keys: JWKSet = keys) -> Result<TokenAcceptance, TokenRejection> {
        BearerTokenValidator.validate(token: Array(token.utf8), keys: keys, policy: policy, now: now)
    }

    @Test("every algorithm's token from PyJWT verifies", arguments: JWSAlgorithm.allCases)
    func verifies(algorithm: JWSAlgorithm) throws {
        let token = try #require(JWSVectors.tokens[algorithm.rawValue])
        let accepted = try Self.validate(token).get()
        #expect(accepted.user == "alice@example.com")
        #expect(accepted.algorithm == algorithm)
    }

    @Test("a flipped bit anywhere in the signature is refused", arguments: JWSAlgorithm.allCases)
    func flippedSignature(algorithm: JWSAlgorithm) throws {
        let token = try #require(JWSVectors.tokens[algorithm.rawValue])
        let jws = try CompactJWS(Array(token.utf8))
        for index in stride(from: 0, to: jws.signature.count, by: 7) {
            var signature = jws.signature
            signature[index] ^= 0x01
            let problem = JWSVerifier.verify(
                signature: signature, over: jws.signingInput, algorithm: algorithm,
                key: Self.keys.keys.first { $0.keyID == jws.keyID }!)
            #expect(problem == "the signature does not verify with this key")
        }
    }

    @Test("a changed signing input is refused")
    func changedInput() throws {
        let jws = try CompactJWS(Array(JWSVectors.tokens["ES256"]!.utf8))
        var input = jws.signingInput
        input[input.count - 1] ^= 0x02
        let key = Self.keys.keys.first { $0.keyID == "p256" }!
        #expect(JWSVerifier.verify(signature: jws.signature, over: input, algorithm: .es256, key: key) != nil)
    }

    @Test("ECDSA signatures must be raw r||s of the curve's length (DER is refused)")
    func ecdsaLength() throws {
        let jws = try CompactJWS(Array(JWSVectors.tokens["ES384"]!.utf8))
        let key = Self.keys.keys.first { $0.keyID == "p384" }!
        let problem = JWSVerifier.verify(
            signature: [0x30, 0x64] + jws.signature, over: jws.signingInput, algorithm: .es384, key: key)
        #expect(problem == "an ES384 signature has 96 octets, this one 98")
    }

    @Test("an RSA key under 2048 bits is refused even with a good signature")
    func smallRSA() throws {
        guard case .failure(.badSignature(let tried)) = Self.validate(JWSVectors.tokens["small"]!) else {
            Issue.record("accepted")
            return
        }
        #expect(tried == ["kid \"small\": the RSA key has 1024 bits, fewer than 2048"])
    }

    @Test("a key of another type, curve or algorithm is not a candidate")
    func mismatches() throws {
        let es256 = try CompactJWS(Array(JWSVectors.tokens["ES256"]!.utf8))
        let p384 = Self.keys.keys.first { $0.keyID == "p384" }!
        #expect(p384.mismatch(with: .es256) == "its curve is P-384, ES256 needs P-256")
        #expect(
            Self.keys.keys.first { $0.keyID == "rsa" }!.mismatch(with: .es256) == "it is a RSA key and ES256 needs EC")
        var restricted = Self.keys.keys.first { $0.keyID == "p256" }!
        restricted.algorithm = "ES384"
        #expect(
            JWSVerifier.verify(signature: es256.signature, over: es256.signingInput, algorithm: .es256, key: restricted)
                == "it is for ES384, the token uses ES256")
    }

    @Test("an EC point that is not on the curve is refused")
    func offCurve() throws {
        let jws = try CompactJWS(Array(JWSVectors.tokens["ES256"]!.utf8))
        var key = Self.keys.keys.first { $0.keyID == "p256" }!
        key.y![31] ^= 0x01
        #expect(
            JWSVerifier.verify(signature: jws.signature, over: jws.signingInput, algorithm: .es256, key: key)
                != nil)
    }

    @Test("a token's kid selects only keys of that kid; without one, every key of the right type is a candidate")
    func keySelection() throws {
        var keys = Self.keys
        for index in keys.keys.indices { keys.keys[index].keyID = nil }
        guard
            case .failure(.noKey(keyID: "rsa", algorithm: .rs256, rejected: [])) = Self.validate(
                JWSVectors.tokens["RS256"]!, keys: keys)
        else {
            Issue.record("a token's kid matched a key without one")
            return
        }
        let (usable, rejected) = Self.keys.candidates(keyID: nil, algorithm: .rs256)
        #expect(usable.map { $0.key.keyID } == ["rsa", "small"])
        #expect(rejected.count == 4)
        let jws = try CompactJWS(Array(JWSVectors.tokens["PS512"]!.utf8))
        for candidate in usable where candidate.key.keyID == "rsa" {
            #expect(
                JWSVerifier.verify(
                    signature: jws.signature, over: jws.signingInput, algorithm: .ps512, key: candidate.key) == nil)
        }
    }

    @Test("claims are checked only after the signature")
    func claimsAfterSignature() throws {
        let strict = ClaimPolicy(issuers: ["https://other.example"], audience: "managesieve")
        let result = BearerTokenValidator.validate(
            token: Array(JWSVectors.tokens["EdDSA"]!.utf8), keys: Self.keys, policy: strict, now: Self.now)
        guard case .failure(.claims(.wrongIssuer(let found, _), let key)) = result else {
            Issue.record("\(result)")
            return
        }
        #expect(found == "https://sso.example.com/realms/mail")
        #expect(key == "kid \"ed\"")
    }

    @Test("private key material makes a key unusable")
    func privateMaterial() throws {
        let set = try JWKSet(parsing: Array(#"{"keys":[{"kty":"OKP","crv":"Ed25519","x":"AAAA","d":"AAAA"}]}"#.utf8))
        #expect(set.keys[0].unusable?.contains("private or secret material") == true)
    }
}
