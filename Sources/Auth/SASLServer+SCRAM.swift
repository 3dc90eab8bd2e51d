// RFC 5802 (SCRAM), RFC 7677 (SCRAM-SHA-256), RFC 5929 §4 and RFC 9266 (channel bindings).

/// What one SCRAM exchange remembers between the server-first-message and the client-final-message.
struct SCRAMExchange {
    /// The gs2-header exactly as the client sent it; `c=` must carry it back.
    var gs2Header: [UInt8]
    /// The channel-binding data the client must have bound to (empty unless the flag was `p=`).
    var channelBinding: [UInt8]
    /// The authentication identity (decoded saslname).
    var user: String
    /// The authorization identity, when the client asked for one.
    var authzid: String?
    /// The user's entry; nil for an unknown user (the exchange goes on with made-up credentials).
    var entry: PasswdEntry?
    /// The credentials to check the proof against (made up when `entry` cannot serve this hash).
    var credentials: SCRAMCredentials
    /// True when `credentials` are real, i.e. the proof can succeed.
    var credentialsAreReal: Bool
    var clientFirstBare: [UInt8]
    var serverFirst: [UInt8]
    /// The combined client+server nonce.
    var nonce: [UInt8]
}

extension SASLServer {
    /// Octets of server nonce (base64: 24 printable characters, never a comma).
    static let serverNonceLength = 18

    /// True when this connection offers the -PLUS mechanisms (TLS with at least one channel-binding type).
    var channelBindingOffered: Bool { context.tlsActive && !context.channelBindings.isEmpty }

    // client-first-message = gs2-header client-first-message-bare
    // gs2-header      = gs2-cbind-flag "," [ authzid ] ","
    // gs2-cbind-flag  = ("p=" cb-name) / "n" / "y"
    // client-first-message-bare = [reserved-mext ","] username "," nonce ["," extensions]
    mutating func scramClientFirst(_ message: [UInt8], hash: SCRAMHash, plus: Bool) -> SASLStep {
        guard let firstComma = message.firstIndex(of: 0x2C),
            let secondComma = message[(firstComma + 1)...].firstIndex(of: 0x2C)
        else { return finish(.failure(.malformed("SCRAM client-first-message has no gs2-header"))) }
        let flag = message[..<firstComma]
        let authzidField = message[(firstComma + 1)..<secondComma]
        let gs2Header = Array(message[...secondComma])
        let bare = Array(message[(secondComma + 1)...])

        // Channel binding: the flag must agree with the mechanism and with what this connection offers.
        var binding: [UInt8] = []
        if flag.first == 0x70, flag.count > 2, flag[flag.startIndex + 1] == 0x3D {  // "p=" cb-name
            let name = String(decoding: flag.dropFirst(2), as: UTF8.self)
            guard plus else {
                return scramFail("SCRAM client asked for channel binding (p=\(name)) with a non-PLUS mechanism")
            }
            guard context.tlsActive else {
                return finish(
                    .failure(
                        .channelBindingNotOffered(
                            scramError: "channel-binding-not-supported",
                            detail: "channel binding (p=\(name)) asked for without TLS")))
            }
            guard let data = context.channelBindings[name] else {
                return finish(
                    .failure(
                        .channelBindingNotOffered(
                            scramError: "unsupported-channel-binding-type",
                            detail: "unsupported channel-binding type '\(name)'")))
            }
            binding = data
        } else if flag.elementsEqual([0x6E]) || flag.elementsEqual([0x79]) {  // "n" or "y"
            guard !plus else {
                return scramFail("SCRAM -PLUS mechanism chosen but the gs2 flag asks for no channel binding")
            }
            if flag.first == 0x79 && channelBindingOffered {
                // RFC 5802 §6: the client supports channel binding and thinks we do not, yet we advertise
                // -PLUS here: someone stripped it from the capability list.
                return scramFail("SCRAM downgrade: client flag 'y' but this server offers channel binding")
            }
        } else {
            return scramFail("SCRAM gs2 channel-binding flag is invalid")
        }

        var authzid: String? = nil
        if !authzidField.isEmpty {
            guard authzidField.starts(with: [0x61, 0x3D]), let name = Self.decodeSASLName(authzidField.dropFirst(2))
            else {
                return scramFail("SCRAM authzid is malformed")
            }
            authzid = name
        }

        let attributes = bare.split(separator: 0x2C, omittingEmptySubsequences: false)
        guard attributes.count >= 2 else {
            return scramFail("SCRAM client-first-message-bare lacks n= or r=")
        }
        if attributes[0].starts(with: [0x6D, 0x3D]) {  // "m=": RFC 5802 §5.1 says fail
            return scramFail("SCRAM mandatory extension (m=) is not supported")
        }
        guard attributes[0].starts(with: [0x6E, 0x3D]), let user = Self.decodeSASLName(attributes[0].dropFirst(2))
        else {
            return scramFail("SCRAM username (n=) is missing or malformed")
        }
        guard attributes[1].starts(with: [0x72, 0x3D]), attributes[1].count > 2,
            attributes[1].dropFirst(2).allSatisfy(Self.isPrintable)
        else {
            return scramFail("SCRAM client nonce (r=) is missing or malformed")
        }
        guard attributes.dropFirst(2).allSatisfy(Self.isAttributeValue) else {
            return scramFail("SCRAM client-first-message has a malformed extension")
        }
        let clientNonce = Array(attributes[1].dropFirst(2))

        // Credentials: stored SCRAM of this hash, or derived from a cleartext password; anything else (and an
        // unknown user) gets made-up ones from a random password that look the same on the wire (the salt from
        // the user's name, the iteration count of the real entries) and fail at the proof. Every path runs
        // PBKDF2 once with the iteration count it shows, so the server-first-message takes the same time.
        let entry = lookup(user)
        let used: SCRAMCredentials
        let real: Bool
        if let entry, let stored = SCRAMCredentials(passwordField: entry.password), stored.hash == hash {
            _ = runPBKDF2(hash, password: Self.equalWorkPassword, salt: stored.salt, iterations: stored.iterations)
            used = stored
            real = true
        } else {
            var password: [UInt8]
            if let entry, let cleartext = Self.cleartextPassword(entry) {
                password = cleartext
                real = true
            } else {
                password = CryptoSupport.randomBytes(16)
                real = false
            }
            let defaults = scramDefaults ?? .perProcess
            let salt = defaults.salt(user: user, hash: hash)
            let iterations = defaults.iterations(for: hash)
            var salted = runPBKDF2(hash, password: password, salt: salt, iterations: iterations)
            used = SCRAMCredentials(hash: hash, saltedPassword: salted, salt: salt, iterations: iterations)
            CryptoSupport.wipe(&salted)
            CryptoSupport.wipe(&password)
        }

        // server-first-message = [reserved-mext ","] nonce "," salt "," iteration-count ["," extensions]
        let nonce = clientNonce + (fixedServerNonce ?? Base64.encode(CryptoSupport.randomBytes(Self.serverNonceLength)))
        let serverFirst =
            Array("r=".utf8) + nonce + Array(",s=".utf8) + Base64.encode(used.salt)
            + Array(",i=\(used.iterations)".utf8)
        state = .scramAwaitingFinal(
            SCRAMExchange(
                gs2Header: gs2Header, channelBinding: binding, user: user, authzid: authzid, entry: entry,
                credentials: used, credentialsAreReal: real, clientFirstBare: bare, serverFirst: serverFirst,
                nonce: nonce))
        return .challenge(serverFirst)
    }

    // client-final-message-without-proof = channel-binding "," nonce ["," extensions]
    // client-final-message = client-final-message-without-proof "," proof
    // channel-binding = "c=" base64 ; base64 encoding of cbind-input
    // cbind-input     = gs2-header [ cbind-data ]
    // proof           = "p=" base64
    func scramClientFinal(_ message: [UInt8], exchange: SCRAMExchange) -> SASLStep {
        let hash = exchange.credentials.hash
        guard let lastComma = message.lastIndex(of: 0x2C) else {
            return .failure(.malformed("SCRAM client-final-message has no proof"))
        }
        let withoutProof = Array(message[..<lastComma])
        let proofField = message[(lastComma + 1)...]
        let attributes = withoutProof.split(separator: 0x2C, omittingEmptySubsequences: false)
        guard attributes.count >= 2, attributes[0].starts(with: [0x63, 0x3D]),  // "c="
            let cbindInput = Base64.decode(Array(attributes[0].dropFirst(2)))
        else { return .failure(.malformed("SCRAM channel binding (c=) is missing or not base64")) }
        guard attributes[1].starts(with: [0x72, 0x3D]) else {
            return .failure(.malformed("SCRAM nonce (r=) is missing in the client-final-message"))
        }
        guard attributes.dropFirst(2).allSatisfy(Self.isAttributeValue) else {
            return .failure(.malformed("SCRAM client-final-message has a malformed extension"))
        }
        guard proofField.starts(with: [0x70, 0x3D]), let proof = Base64.decode(Array(proofField.dropFirst(2))),
            proof.count == hash.digestSize
        else { return .failure(.malformed("SCRAM proof (p=) is missing, not base64 or of the wrong size")) }
        guard cbindInput == exchange.gs2Header + exchange.channelBinding else {
            return .failure(.malformed("SCRAM channel binding (c=) does not match the gs2-header or the TLS channel"))
        }
        guard attributes[1].dropFirst(2).elementsEqual(exchange.nonce) else {
            return .failure(.malformed("SCRAM nonce (r=) differs from the combined nonce"))
        }

        // AuthMessage = client-first-message-bare "," server-first-message "," client-final-message-without-proof
        let authMessage = exchange.clientFirstBare + [0x2C] + exchange.serverFirst + [0x2C] + withoutProof
        let credentials = exchange.credentials
        let clientSignature = hash.hmac(key: credentials.storedKey, authMessage)
        var clientKey = zip(proof, clientSignature).map { $0 ^ $1 }
        defer { CryptoSupport.wipe(&clientKey) }
        guard CryptoSupport.constantTimeEqual(hash.digest(clientKey), credentials.storedKey),
            exchange.credentialsAreReal, let entry = exchange.entry
        else { return .failure(Self.scramRejection(exchange)) }
        if let authzid = exchange.authzid, authzid != exchange.user {
            return .failure(.authorizationRefused(authzid))
        }
        // server-final-message = verifier; verifier = "v=" base64(ServerSignature)
        let serverSignature = hash.hmac(key: credentials.serverKey, authMessage)
        return .success(entry, serverFinal: Array("v=".utf8) + Base64.encode(serverSignature))
    }

    private mutating func scramFail(_ why: String) -> SASLStep { finish(.failure(.malformed(why))) }

    /// Why a proof failed, for the log: no such user, a stored password that cannot serve SCRAM, or a wrong proof.
    static func scramRejection(_ exchange: SCRAMExchange) -> SASLFailure {
        guard let entry = exchange.entry else { return .unknownUser(exchange.user) }
        guard exchange.credentialsAreReal else {
            let scheme = PasswordVerifier.split(entry.password).scheme ?? "CRYPT"
            let mechanism = exchange.credentials.hash.mechanism
            return .unusablePassword(
                user: exchange.user,
                .unsupportedScheme(scheme, why: "it cannot serve \(mechanism) (only PLAIN and LOGIN)"))
        }
        return .credentialsRejected(user: exchange.user)
    }

    /// What a stored SCRAM user's PBKDF2 run hashes: the result is thrown away, the work is what counts.
    static let equalWorkPassword = Array("managesieved equal work".utf8)

    /// Hi(password, salt, i), counted in `pbkdf2Runs`.
    mutating func runPBKDF2(_ hash: SCRAMHash, password: [UInt8], salt: [UInt8], iterations: Int) -> [UInt8] {
        pbkdf2Runs.append(iterations)
        return hash.hi(password, salt: salt, iterations: iterations)
    }

    /// The password of a `{PLAIN}`/`{CLEARTEXT}` entry, from which SCRAM credentials can be derived.
    static func cleartextPassword(_ entry: PasswdEntry) -> [UInt8]? {
        let (scheme, data) = PasswordVerifier.split(entry.password)
        guard scheme == "PLAIN" || scheme == "CLEARTEXT", !data.isEmpty else { return nil }
        return Array(data.utf8)
    }

    // saslname = 1*(value-safe-char / "=2C" / "=3D")
    // value-safe-char = %x01-2B / %x2D-3C / %x3E-7F / UTF8-2 / UTF8-3 / UTF8-4 ; no NUL, "," or "="
    /// The decoded name, or nil when it is empty, not UTF-8, or has a NUL, a bare "=" or a bad escape.
    static func decodeSASLName(_ bytes: ArraySlice<UInt8>) -> String? {
        var out: [UInt8] = []
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == 0x3D {
                guard bytes.endIndex - index >= 3 else { return nil }
                let escape = (bytes[index + 1], bytes[index + 2])
                if escape == (0x32, 0x43) {
                    out.append(0x2C)
                } else if escape == (0x33, 0x44) {
                    out.append(0x3D)
                } else {
                    return nil
                }
                index += 3
                continue
            }
            guard byte != 0, byte != 0x2C else { return nil }
            out.append(byte)
            index += 1
        }
        guard !out.isEmpty else { return nil }
        return String(validating: out, as: UTF8.self)
    }

    /// The escaped form of a name for `n=`/`a=` (`,` → `=2C`, `=` → `=3D`).
    static func encodeSASLName(_ name: String) -> [UInt8] {
        var out: [UInt8] = []
        for byte in name.utf8 {
            switch byte {
            case 0x2C: out += Array("=2C".utf8)
            case 0x3D: out += Array("=3D".utf8)
            default: out.append(byte)
            }
        }
        return out
    }

    // printable = %x21-2B / %x2D-7E ; Printable ASCII except ","
    static func isPrintable(_ byte: UInt8) -> Bool { byte >= 0x21 && byte <= 0x7E && byte != 0x2C }

    // attr-val = ALPHA "=" value
    static func isAttributeValue(_ field: ArraySlice<UInt8>) -> Bool {
        guard field.count >= 2, let first = field.first else { return false }
        let isAlpha = (first >= 0x41 && first <= 0x5A) || (first >= 0x61 && first <= 0x7A)
        return isAlpha && field[field.startIndex + 1] == 0x3D && !field.contains(0)
    }
}
