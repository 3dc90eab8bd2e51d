import Testing

@testable import Auth

private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
private func b64(_ bytes: [UInt8]) -> String { text(Base64.encode(bytes)) }

/// A minimal SCRAM client for driving the server in unit tests (interop with an independent client is in
/// Tests/Integration/test_sasl.py, which uses Python's scramp).
private struct TestClient {
    var hash: SCRAMHash
    var password: String
    var gs2Header = "n,,"
    var channelBinding: [UInt8] = []
    var clientFirstBare: String

    init(hash: SCRAMHash, user: String, password: String, nonce: String = "clientnonce123") {
        self.hash = hash
        self.password = password
        clientFirstBare = "n=\(user),r=\(nonce)"
    }

    var clientFirst: [UInt8] { bytes(gs2Header + clientFirstBare) }

    /// The client-final-message for a server-first-message, and the ServerSignature to expect.
    func clientFinal(
        serverFirst: [UInt8], nonceOverride: String? = nil, cbind: [UInt8]? = nil
    )
        -> (message: [UInt8], serverSignature: [UInt8])
    {
        let fields = Dictionary(
            uniqueKeysWithValues: text(serverFirst).split(separator: ",").map {
                (String($0.prefix(1)), String($0.dropFirst(2)))
            })
        let salt = Base64.decode(bytes(fields["s"]!))!
        let iterations = Int(fields["i"]!)!
        let salted = hash.hi(bytes(password), salt: salt, iterations: iterations)
        let clientKey = hash.hmac(key: salted, bytes("Client Key"))
        let storedKey = hash.digest(clientKey)
        let serverKey = hash.hmac(key: salted, bytes("Server Key"))
        let withoutProof =
            "c=\(b64(cbind ?? (bytes(gs2Header) + channelBinding))),r=\(nonceOverride ?? fields["r"]!)"
        let authMessage = bytes(clientFirstBare + "," + text(serverFirst) + "," + withoutProof)
        let signature = hash.hmac(key: storedKey, authMessage)
        let proof = zip(clientKey, signature).map { $0 ^ $1 }
        return (bytes(withoutProof + ",p=" + b64(proof)), hash.hmac(key: serverKey, authMessage))
    }
}

private let scram256 = SCRAMCredentials.generate(hash: .sha256, password: bytes("pencil"))
private let scram1 = SCRAMCredentials.generate(hash: .sha1, password: bytes("pencil"))
private let users: [String: PasswdEntry] = [
    "user": PasswdEntry(user: "user", password: scram256.passwordField, uid: 1000, gid: 1000),
    "old": PasswdEntry(user: "old", password: scram1.passwordField, uid: 1001, gid: 1001),
    "plain": PasswdEntry(user: "plain", password: "{PLAIN}pencil", uid: 1002, gid: 1002),
    "crypt": PasswdEntry(
        user: "crypt", password: "{SHA512-CRYPT}" + PasswordVerifier.dummyHash, uid: 1003, gid: 1003),
    "a,b=c": PasswdEntry(user: "a,b=c", password: "{PLAIN}pencil", uid: 1004, gid: 1004),
]
private let exporter = [UInt8](repeating: 0xAB, count: 32)
private let endPoint = [UInt8](repeating: 0xCD, count: 32)
private let tls = SASLContext(
    tlsActive: true, channelBindings: ["tls-exporter": exporter, "tls-server-end-point": endPoint])

private func server(_ mechanism: String, context: SASLContext = SASLContext()) -> SASLServer {
    SASLServer(mechanism: mechanism, context: context, lookup: { users[$0] })!
}

/// Runs a whole exchange; returns the final step.
private func exchange(
    _ mechanism: String, client: TestClient, context: SASLContext = SASLContext()
) -> (SASLStep, expectedFinal: [UInt8]?) {
    var sasl = server(mechanism, context: context)
    guard case .challenge(let serverFirst) = sasl.start(initialResponse: client.clientFirst) else {
        return (sasl.step([]), nil)
    }
    let (final, signature) = client.clientFinal(serverFirst: serverFirst)
    return (sasl.step(final), bytes("v=") + Base64.encode(signature))
}

@Suite("SCRAM test vectors")
struct SCRAMVectorTests {
    @Test("RFC 5802 §5: SCRAM-SHA-1 exchange for user/pencil")
    func rfc5802() {
        let credentials = SCRAMCredentials(
            hash: .sha1, password: bytes("pencil"), salt: Base64.decode(bytes("QSXCR+Q6sek8bf92"))!, iterations: 4096)
        let entry = PasswdEntry(user: "user", password: credentials.passwordField, uid: 1000, gid: 1000)
        var sasl = SASLServer(mechanism: "SCRAM-SHA-1", lookup: { $0 == "user" ? entry : nil })!
        sasl.fixedServerNonce = bytes("3rfcNHYJY1ZVvWVs7j")
        #expect(
            sasl.start(initialResponse: bytes("n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL"))
                == .challenge(bytes("r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096")))
        #expect(
            sasl.step(bytes("c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts="))
                == .success(entry, serverFinal: bytes("v=rmF9pqV8S7suAoZWja4dJRkFsKQ=")))
    }

    @Test("RFC 7677 §3: SCRAM-SHA-256 exchange for user/pencil")
    func rfc7677() {
        let credentials = SCRAMCredentials(
            hash: .sha256, password: bytes("pencil"), salt: Base64.decode(bytes("W22ZaJ0SNY7soEsUEjb6gQ=="))!,
            iterations: 4096)
        let entry = PasswdEntry(user: "user", password: credentials.passwordField, uid: 1000, gid: 1000)
        var sasl = SASLServer(mechanism: "scram-sha-256", lookup: { $0 == "user" ? entry : nil })!
        sasl.fixedServerNonce = bytes("%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0")
        #expect(
            sasl.start(initialResponse: bytes("n,,n=user,r=rOprNGfwEbeRWgbNEkqO"))
                == .challenge(
                    bytes("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")))
        #expect(
            sasl.step(
                bytes(
                    "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
                        + "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="))
                == .success(entry, serverFinal: bytes("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")))
    }

    @Test("RFC 6070 PBKDF2-HMAC-SHA1 vector through Hi")
    func hiVector() {
        // RFC 6070 §2, test case 2: P = "password", S = "salt", c = 2.
        let out = SCRAMHash.sha1.hi(bytes("password"), salt: bytes("salt"), iterations: 2)
        #expect(
            b64(out)
                == b64([
                    0xea, 0x6c, 0x01, 0x4d, 0xc7, 0x2d, 0x6f, 0x8c, 0xcd, 0x1e, 0xd9, 0x2a, 0xce, 0x1d, 0x41, 0xf0,
                    0xd8, 0xde,
                    0x89, 0x57,
                ]))
    }
}

@Suite("SCRAM stored credentials (Dovecot format)")
struct SCRAMCredentialsTests {
    @Test("a generated field parses back and verifies the password only", arguments: SCRAMHash.allCases)
    func roundTrip(hash: SCRAMHash) throws {
        let field = try PasswordHasher.hash(bytes("pencil"), scheme: hash == .sha1 ? .scramSHA1 : .scramSHA256)
        #expect(field.hasPrefix(hash.tag + "4096,"))
        let parts = field.dropFirst(hash.tag.count).split(separator: ",")
        #expect(parts.count == 4)
        #expect(Base64.decode(bytes(String(parts[1])))?.count == 16)
        #expect(Base64.decode(bytes(String(parts[2])))?.count == hash.digestSize)
        let parsed = SCRAMCredentials(passwordField: field)
        #expect(parsed?.hash == hash)
        #expect(parsed?.passwordField == field)
        #expect(PasswordVerifier.verify(bytes("pencil"), against: field))
        #expect(!PasswordVerifier.verify(bytes("pencil "), against: field))
        #expect(!PasswordVerifier.verify(bytes("Pencil"), against: field))
    }

    @Test("Dovecot's layout: the salt field is the base64 sent as s=; scheme names are case-insensitive")
    func dovecotField() {
        let credentials = SCRAMCredentials(
            hash: .sha256, password: bytes("pencil"), salt: Base64.decode(bytes("W22ZaJ0SNY7soEsUEjb6gQ=="))!,
            iterations: 4096)
        #expect(credentials.passwordField.hasPrefix("{SCRAM-SHA-256}4096,W22ZaJ0SNY7soEsUEjb6gQ==,"))
        #expect(PasswordVerifier.verify(bytes("pencil"), against: credentials.passwordField))
        #expect(
            PasswordVerifier.verify(
                bytes("pencil"), against: "{scram-sha-256}" + credentials.passwordField.dropFirst(15)))
    }

    @Test("rounds: --rounds sets the iteration count; below 4096 is refused")
    func rounds() throws {
        let field = try PasswordHasher.hash(bytes("x"), scheme: .scramSHA256, rounds: 5000)
        #expect(field.hasPrefix("{SCRAM-SHA-256}5000,"))
        #expect(PasswordVerifier.verify(bytes("x"), against: field))
        #expect(throws: AuthError.badRounds(scheme: "SCRAM-SHA-256", rounds: 100)) {
            try PasswordHasher.hash(bytes("x"), scheme: .scramSHA256, rounds: 100)
        }
    }

    @Test(
        "malformed stored fields never verify",
        arguments: [
            "{SCRAM-SHA-256}", "{SCRAM-SHA-256}4096,c2FsdA==,AAAA", "{SCRAM-SHA-256}100,c2FsdA==,{K},{K}",
            "{SCRAM-SHA-256}4096,,{K},{K}", "{SCRAM-SHA-256}4096,c2FsdA==,{K},{K},x",
            "{SCRAM-SHA-256}+4096,c2FsdA==,{K},{K}", "{SCRAM-SHA-256}4096,c2FsdA==,{K1},{K}",
            "{SCRAM-SHA-1}4096,c2FsdA==,{K},{K}", "{SCRAM-SHA-256}4096,c2Fsd A==,{K},{K}",
            "{SCRAM-SHA-256}99999999999,c2FsdA==,{K},{K}",
        ])
    func malformed(field: String) {
        // {K} is a key of SHA-256's size, {K1} of SHA-1's.
        let field = field.replacingOccurrences("{K}", with: b64([UInt8](repeating: 1, count: 32)))
            .replacingOccurrences("{K1}", with: b64([UInt8](repeating: 1, count: 20)))
        #expect(SCRAMCredentials(passwordField: field) == nil)
        #expect(!PasswordVerifier.verify(bytes("pencil"), against: field))
    }
}

extension String {
    fileprivate func replacingOccurrences(_ target: String, with replacement: String) -> String {
        var result = ""
        var rest = self[...]
        while let range = rest.firstRange(of: target) {
            result += rest[..<range.lowerBound] + replacement
            rest = rest[range.upperBound...]
        }
        return result + rest
    }
}

@Suite("SASL SCRAM")
struct SASLSCRAMTests {
    @Test(
        "logs in with stored SCRAM credentials or a cleartext password, and returns the server signature",
        arguments: [
            ("SCRAM-SHA-256", "user"), ("SCRAM-SHA-1", "old"), ("SCRAM-SHA-256", "plain"), ("SCRAM-SHA-1", "plain"),
        ])
    func success(mechanism: String, user: String) {
        let client = TestClient(hash: mechanism == "SCRAM-SHA-1" ? .sha1 : .sha256, user: user, password: "pencil")
        let (step, expected) = exchange(mechanism, client: client)
        #expect(step == .success(users[user]!, serverFinal: expected))
    }

    @Test("the server-first-message extends the client nonce and carries salt and iterations")
    func serverFirstShape() throws {
        var sasl = server("SCRAM-SHA-256")
        guard case .challenge(let first) = sasl.start(initialResponse: bytes("n,,n=user,r=abc")) else {
            Issue.record("no challenge")
            return
        }
        let fields = text(first).split(separator: ",")
        #expect(fields.count == 3)
        #expect(fields[0].hasPrefix("r=abc") && fields[0].count == 2 + 3 + 24)
        #expect(fields[1] == "s=" + b64(scram256.salt))
        #expect(fields[2] == "i=4096")
    }

    @Test("two exchanges get different server nonces")
    func freshNonces() {
        var a = server("SCRAM-SHA-256")
        var b = server("SCRAM-SHA-256")
        #expect(
            a.start(initialResponse: bytes("n,,n=user,r=abc")) != b.start(initialResponse: bytes("n,,n=user,r=abc")))
    }

    @Test("no initial response: an empty challenge, then the client-first-message")
    func emptyInitial() {
        let client = TestClient(hash: .sha256, user: "user", password: "pencil")
        var sasl = server("SCRAM-SHA-256")
        #expect(sasl.start(initialResponse: nil) == .challenge([]))
        guard case .challenge(let first) = sasl.step(client.clientFirst) else {
            Issue.record("no server-first-message")
            return
        }
        let (final, signature) = client.clientFinal(serverFirst: first)
        #expect(sasl.step(final) == .success(users["user"]!, serverFinal: bytes("v=") + Base64.encode(signature)))
        #expect(sasl.step(final) == .failure(.unsupportedMechanism))
    }

    @Test("a wrong password fails at the proof")
    func wrongPassword() {
        let (step, _) = exchange("SCRAM-SHA-256", client: TestClient(hash: .sha256, user: "user", password: "pencil2"))
        #expect(step == .failure(.credentialsRejected(user: "user")))
    }

    @Test(
        "unknown users, crypt-only users and the other hash's credentials look the same and fail at the proof",
        arguments: [
            ("SCRAM-SHA-256", "nobody"), ("SCRAM-SHA-256", "crypt"), ("SCRAM-SHA-256", "old"), ("SCRAM-SHA-1", "user"),
        ])
    func fakeCredentials(mechanism: String, user: String) {
        let hash: SCRAMHash = mechanism == "SCRAM-SHA-1" ? .sha1 : .sha256
        var first = server(mechanism)
        var second = server(mechanism)
        let message = bytes("n,,n=\(user),r=abc")
        guard case .challenge(let one) = first.start(initialResponse: message),
            case .challenge(let two) = second.start(initialResponse: message)
        else {
            Issue.record("no challenge")
            return
        }
        // Same salt and iteration count on every attempt, as for a real user.
        #expect(text(one).split(separator: ",").dropFirst() == text(two).split(separator: ",").dropFirst())
        #expect(text(one).hasSuffix(",i=4096"))
        let salt = Base64.decode(bytes(String(text(one).split(separator: ",")[1].dropFirst(2))))
        #expect(salt?.count == 16)
        let (final, _) = TestClient(hash: hash, user: user, password: "pencil").clientFinal(serverFirst: one)
        // The log tells the cases apart; the client cannot.
        switch first.step(final) {
        case .failure(.unknownUser(let name)): #expect(user == "nobody" && name == user)
        case .failure(.unusablePassword(let name, .unsupportedScheme(_, _))): #expect(user != "nobody" && name == user)
        default: Issue.record("expected an unknown user or a password that cannot serve SCRAM")
        }
    }

    @Test(
        "every kind of user costs exactly one PBKDF2 with the iteration count the server-first-message shows",
        arguments: [
            ("SCRAM-SHA-256", "user"), ("SCRAM-SHA-256", "plain"), ("SCRAM-SHA-256", "crypt"),
            ("SCRAM-SHA-256", "nobody"), ("SCRAM-SHA-256", "old"), ("SCRAM-SHA-1", "old"), ("SCRAM-SHA-1", "plain"),
            ("SCRAM-SHA-1", "nobody"),
        ])
    func equalWork(mechanism: String, user: String) {
        let defaults = SCRAMDefaults(saltKey: bytes("a persistent secret of 32 octets"), iterations: [.sha256: 4096])
        var sasl = SASLServer(mechanism: mechanism, context: SASLContext(), scramDefaults: defaults) { users[$0] }!
        guard case .challenge(let first) = sasl.start(initialResponse: bytes("n,,n=\(user),r=abc")) else {
            Issue.record("no challenge")
            return
        }
        let shown = Int(text(first).split(separator: ",").last!.dropFirst(2))!
        #expect(sasl.pbkdf2Runs == [shown])
        #expect(shown == 4096)
    }

    @Test("an unknown user's salt comes from the persistent key: the same in every process that has the key")
    func stableFakeSalt() {
        func serverFirst(_ key: String, _ user: String, iterations: [SCRAMHash: Int] = [:]) -> [Substring] {
            let defaults = SCRAMDefaults(saltKey: bytes(key), iterations: iterations)
            var sasl = SASLServer(mechanism: "SCRAM-SHA-256", context: SASLContext(), scramDefaults: defaults) {
                users[$0]
            }!
            guard case .challenge(let first) = sasl.start(initialResponse: bytes("n,,n=\(user),r=abc")) else {
                return []
            }
            return Array(text(first).split(separator: ",").dropFirst())
        }
        // Two SASLServers stand for two connections (two processes) reading the same secret file.
        #expect(
            serverFirst("secret one, thirty-two octets!!", "nobody")
                == serverFirst("secret one, thirty-two octets!!", "nobody"))
        #expect(
            serverFirst("secret one, thirty-two octets!!", "nobody")
                != serverFirst("secret two, thirty-two octets!!", "nobody"))
        #expect(
            serverFirst("secret one, thirty-two octets!!", "nobody")
                != serverFirst("secret one, thirty-two octets!!", "nobody2"))
        // The iteration count is the real entries' one.
        #expect(serverFirst("k", "nobody", iterations: [.sha256: 12000]).last == "i=12000")
        #expect(serverFirst("k", "crypt", iterations: [.sha256: 12000]).last == "i=12000")
    }

    @Test("the iteration count shown for users without credentials is the passwd-file's real one")
    func defaultsFromThePasswdFile() throws {
        let strong = try PasswordHasher.hash(bytes("pencil"), scheme: .scramSHA256, rounds: 10000)
        let passwd = PasswdDatabase(
            text: bytes("crypt:{CRYPT}$6$x$y:1000:1000::/h::\nreal:\(strong):1001:1001::/h::\n"))
        let defaults = SASLServer.scramDefaults(for: passwd, saltKey: bytes("k"))
        #expect(defaults.iterations(for: .sha256) == 10000)
        #expect(defaults.iterations(for: .sha1) == 4096)
    }

    @Test("saslname escapes =2C and =3D are decoded")
    func escapedName() {
        let (step, expected) = exchange(
            "SCRAM-SHA-256", client: TestClient(hash: .sha256, user: "a=2Cb=3Dc", password: "pencil"))
        #expect(step == .success(users["a,b=c"]!, serverFinal: expected))
        #expect(SASLServer.encodeSASLName("a,b=c") == bytes("a=2Cb=3Dc"))
    }

    @Test("an authzid equal to the user is accepted; another one is refused after the proof")
    func authzid() {
        var same = TestClient(hash: .sha256, user: "user", password: "pencil")
        same.gs2Header = "n,a=user,"
        let (ok, expected) = exchange("SCRAM-SHA-256", client: same)
        #expect(ok == .success(users["user"]!, serverFinal: expected))
        var other = TestClient(hash: .sha256, user: "user", password: "pencil")
        other.gs2Header = "n,a=plain,"
        #expect(exchange("SCRAM-SHA-256", client: other).0 == .failure(.authorizationRefused("plain")))
    }

    @Test(
        "-PLUS logs in with each channel-binding type the connection offers",
        arguments: [("tls-exporter", exporter), ("tls-server-end-point", endPoint)])
    func plus(type: String, data: [UInt8]) {
        var client = TestClient(hash: .sha256, user: "user", password: "pencil")
        client.gs2Header = "p=\(type),,"
        client.channelBinding = data
        let (step, expected) = exchange("SCRAM-SHA-256-PLUS", client: client, context: tls)
        #expect(step == .success(users["user"]!, serverFinal: expected))
        var sha1 = TestClient(hash: .sha1, user: "old", password: "pencil")
        sha1.gs2Header = "p=\(type),,"
        sha1.channelBinding = data
        let (step1, expected1) = exchange("SCRAM-SHA-1-PLUS", client: sha1, context: tls)
        #expect(step1 == .success(users["old"]!, serverFinal: expected1))
    }

    @Test("flag 'y' is accepted where no channel binding is offered, refused as a downgrade where it is")
    func downgrade() {
        var client = TestClient(hash: .sha256, user: "user", password: "pencil")
        client.gs2Header = "y,,"
        let (plain, expected) = exchange("SCRAM-SHA-256", client: client)
        #expect(plain == .success(users["user"]!, serverFinal: expected))
        let noBindings = SASLContext(tlsActive: true)
        let (tlsNoCB, expected2) = exchange("SCRAM-SHA-256", client: client, context: noBindings)
        #expect(tlsNoCB == .success(users["user"]!, serverFinal: expected2))
        var sasl = server("SCRAM-SHA-256", context: tls)
        guard case .failure(.malformed(let why)) = sasl.start(initialResponse: client.clientFirst) else {
            Issue.record("downgrade accepted")
            return
        }
        #expect(why.contains("downgrade"))
        #expect(sasl.step(bytes("c=eSws,r=x,p=AAAA")) == .failure(.unsupportedMechanism))
    }

    @Test(
        "client-first-messages that fail at once",
        arguments: [
            ("SCRAM-SHA-256", "", "no gs2 header"), ("SCRAM-SHA-256", "n,,", "empty bare"),
            ("SCRAM-SHA-256", "x,,n=user,r=abc", "bad flag"), ("SCRAM-SHA-256", "n", "one comma"),
            ("SCRAM-SHA-256", "p=tls-exporter,,n=user,r=abc", "p with non-PLUS"),
            ("SCRAM-SHA-256-PLUS", "n,,n=user,r=abc", "n with PLUS"),
            ("SCRAM-SHA-256-PLUS", "y,,n=user,r=abc", "y with PLUS"),
            ("SCRAM-SHA-256-PLUS", "p=,,n=user,r=abc", "empty type"),
            ("SCRAM-SHA-256", "n,user,n=user,r=abc", "authzid without a="),
            ("SCRAM-SHA-256", "n,a=,n=user,r=abc", "empty authzid"),
            ("SCRAM-SHA-256", "n,,m=ext,n=user,r=abc", "mandatory extension"),
            ("SCRAM-SHA-256", "n,,r=abc,n=user", "order"), ("SCRAM-SHA-256", "n,,n=user", "no nonce"),
            ("SCRAM-SHA-256", "n,,n=user,r=", "empty nonce"), ("SCRAM-SHA-256", "n,,n=,r=abc", "empty user"),
            ("SCRAM-SHA-256", "n,,n=us=er,r=abc", "bare ="), ("SCRAM-SHA-256", "n,,n=user=2,r=abc", "short escape"),
            ("SCRAM-SHA-256", "n,,n=us\u{0}er,r=abc", "NUL in name"),
            ("SCRAM-SHA-256", "n,,n=user,r=a\u{7F}c", "nonce not printable"),
            ("SCRAM-SHA-256", "n,,n=user,r=abc,1=x", "bad extension"),
        ] as [(String, String, String)])
    func badClientFirst(mechanism: String, message: String, why: String) {
        var sasl = server(mechanism, context: tls)
        let result = sasl.start(initialResponse: bytes(message))
        if message.isEmpty {
            // An empty initial response asks for the (empty) first challenge; an empty answer then fails.
            #expect(result == .challenge([]))
            guard case .failure(.malformed) = sasl.step([]) else {
                Issue.record("empty client-first accepted")
                return
            }
            return
        }
        guard case .failure(.malformed) = result else {
            Issue.record("\(why): accepted: \(result)")
            return
        }
    }

    @Test("-PLUS without TLS is answered with RFC 5802's channel-binding-not-supported, a negotiation failure")
    func plusWithoutTLS() {
        var sasl = server("SCRAM-SHA-256-PLUS")
        guard
            case .failure(.channelBindingNotOffered("channel-binding-not-supported", _)) = sasl.start(
                initialResponse: bytes("p=tls-exporter,,n=user,r=abc"))
        else {
            Issue.record("not refused as a negotiation failure")
            return
        }
    }

    @Test("a channel-binding type the connection does not offer (sievemgr's tls-unique) is a negotiation failure")
    func unsupportedChannelBindingType() {
        for user in ["user", "crypt", "nobody"] {
            var sasl = server("SCRAM-SHA-256-PLUS", context: tls)
            let step = sasl.start(initialResponse: bytes("p=tls-unique,,n=\(user),r=abc"))
            guard case .failure(.channelBindingNotOffered("unsupported-channel-binding-type", let detail)) = step else {
                Issue.record("\(user): \(step)")
                continue
            }
            #expect(detail.contains("tls-unique"))
            // Nothing was looked up or derived: no password work for a mere negotiation.
            #expect(sasl.pbkdf2Runs.isEmpty)
        }
    }

    @Test(
        "client-final-messages that fail",
        arguments: [
            "wrong channel binding", "other binding type's data", "gs2 header not echoed", "nonce changed",
            "no proof", "proof not base64", "proof too short", "c= missing", "extension malformed", "garbage",
        ])
    func badClientFinal(kind: String) {
        var client = TestClient(hash: .sha256, user: "user", password: "pencil")
        client.gs2Header = "p=tls-exporter,,"
        client.channelBinding = exporter
        var sasl = server("SCRAM-SHA-256-PLUS", context: tls)
        guard case .challenge(let first) = sasl.start(initialResponse: client.clientFirst) else {
            Issue.record("no challenge")
            return
        }
        let nonce = String(text(first).split(separator: ",")[0].dropFirst(2))
        let good = text(client.clientFinal(serverFirst: first).message)
        let message: String
        switch kind {
        case "wrong channel binding":
            message = text(client.clientFinal(serverFirst: first, cbind: bytes("p=tls-exporter,,") + endPoint).message)
        case "other binding type's data":
            message = text(
                client.clientFinal(serverFirst: first, cbind: bytes("p=tls-server-end-point,,") + endPoint).message)
        case "gs2 header not echoed":
            message = text(client.clientFinal(serverFirst: first, cbind: bytes("n,,")).message)
        case "nonce changed":
            message = text(client.clientFinal(serverFirst: first, nonceOverride: nonce + "x").message)
        case "no proof": message = "c=biws,r=\(nonce)"
        case "proof not base64": message = "c=biws,r=\(nonce),p=***"
        case "proof too short": message = String(good.prefix(upTo: good.range(of: ",p=")!.lowerBound)) + ",p=AAAA"
        case "c= missing": message = "r=\(nonce),p=" + b64([UInt8](repeating: 0, count: 32))
        case "extension malformed":
            message = good.replacingOccurrences(",p=", with: ",=x,p=")
        default: message = "garbage"
        }
        let result = sasl.step(bytes(message))
        guard case .failure = result else {
            Issue.record("\(kind): accepted")
            return
        }
        #expect(sasl.step(bytes(good)) == .failure(.unsupportedMechanism), "the exchange is over")
    }
}

extension String {
    fileprivate func range(of target: String) -> Range<String.Index>? { firstRange(of: target) }
}

@Suite("SASL EXTERNAL")
struct SASLExternalTests {
    let certificate = SASLContext(tlsActive: true, certificateUser: "user")

    @Test("an empty or matching authorization identity logs in the certificate's user", arguments: ["", "user"])
    func success(authzid: String) {
        var sasl = server("EXTERNAL", context: certificate)
        #expect(sasl.start(initialResponse: bytes(authzid)) == .success(users["user"]!, serverFinal: nil))
    }

    @Test("no initial response: an empty challenge, then the authorization identity")
    func challenge() {
        var sasl = server("EXTERNAL", context: certificate)
        #expect(sasl.start(initialResponse: nil) == .challenge([]))
        #expect(sasl.step([]) == .success(users["user"]!, serverFinal: nil))
    }

    @Test("another identity is refused")
    func foreign() {
        var sasl = server("EXTERNAL", context: certificate)
        #expect(sasl.start(initialResponse: bytes("plain")) == .failure(.authorizationRefused("plain")))
    }

    @Test("a certificate user missing from the passwd-file is refused")
    func unknown() {
        var sasl = server("EXTERNAL", context: SASLContext(tlsActive: true, certificateUser: "ghost"))
        #expect(sasl.start(initialResponse: []) == .failure(.unknownUser("ghost")))
    }

    @Test("without a verified certificate or TLS it fails", arguments: [SASLContext(), SASLContext(tlsActive: true)])
    func noCertificate(context: SASLContext) {
        var sasl = server("EXTERNAL", context: context)
        guard case .failure(.malformed) = sasl.start(initialResponse: []) else {
            Issue.record("accepted")
            return
        }
    }

    @Test("a NUL in the identity is refused")
    func nul() {
        var sasl = server("EXTERNAL", context: certificate)
        guard case .failure(.malformed) = sasl.start(initialResponse: bytes("user\0x")) else {
            Issue.record("accepted")
            return
        }
    }
}

@Suite("SASL mechanism availability")
struct SASLAvailabilityTests {
    private func passwd(_ fields: [String]) -> PasswdFile {
        PasswdFile(
            parsing: bytes(
                fields.enumerated().map { "u\($0.offset):\($0.element):1000:1000::/home/u::" }.joined(separator: "\n")))
    }

    @Test(
        "SCRAM is offered for what the passwd-file can serve",
        arguments: [
            ([PasswordVerifier.dummyHash], ["PLAIN", "LOGIN"]),
            ([scram256.passwordField], ["PLAIN", "LOGIN", "SCRAM-SHA-256"]),
            ([scram1.passwordField, PasswordVerifier.dummyHash], ["PLAIN", "LOGIN", "SCRAM-SHA-1"]),
            (["{PLAIN}x"], ["PLAIN", "LOGIN", "SCRAM-SHA-256", "SCRAM-SHA-1"]),
            (["{CLEARTEXT}x"], ["PLAIN", "LOGIN", "SCRAM-SHA-256", "SCRAM-SHA-1"]),
            (["{SCRAM-SHA-256}4096,bad"], ["PLAIN", "LOGIN"]),
            ([scram1.passwordField, scram256.passwordField], ["PLAIN", "LOGIN", "SCRAM-SHA-256", "SCRAM-SHA-1"]),
        ] as [([String], [String])])
    func scram(fields: [String], expected: [String]) {
        #expect(SASLServer.availableMechanisms(for: passwd(fields), context: SASLContext()) == expected)
        // TLS without channel bindings adds nothing.
        #expect(SASLServer.availableMechanisms(for: passwd(fields), context: SASLContext(tlsActive: true)) == expected)
    }

    @Test("-PLUS only inside TLS with a binding; EXTERNAL only with a certificate user; the full order")
    func plusAndExternal() {
        let file = passwd([scram1.passwordField, scram256.passwordField])
        let everything = SASLContext(
            tlsActive: true, channelBindings: ["tls-exporter": exporter], certificateUser: "u0")
        #expect(
            SASLServer.availableMechanisms(for: file, context: everything) == [
                "PLAIN", "LOGIN", "SCRAM-SHA-256-PLUS", "SCRAM-SHA-256", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-1", "EXTERNAL",
            ])
        #expect(SASLServer.availableMechanisms(for: file, context: everything) == SASLServer.supportedMechanisms)
        let crypt = passwd([PasswordVerifier.dummyHash])
        #expect(
            SASLServer.availableMechanisms(for: crypt, context: everything) == ["PLAIN", "LOGIN", "EXTERNAL"])
        #expect(
            SASLServer.availableMechanisms(for: crypt, context: SASLContext(certificateUser: "u0")) == [
                "PLAIN", "LOGIN",
            ])
    }

    @Test("every advertised mechanism can be instantiated")
    func instantiable() {
        for name in SASLServer.supportedMechanisms {
            #expect(SASLServer(mechanism: name, lookup: { _ in nil })?.mechanism == name)
        }
    }
}
