// RFC 7628 OAUTHBEARER and Google's XOAUTH2: a bearer token in one client message. A refused token is
// answered with an error challenge (JSON), the client acknowledges it, and only then does the exchange fail,
// so the failure delay and the attempt count apply as for any failed login.

extension SASLServer {
    /// The bearer mechanisms: offered only when OAuth is configured; they carry a credential in the clear.
    public static let bearerMechanisms = ["OAUTHBEARER", "XOAUTH2"]

    /// The failure an error challenge announced, while the client has yet to acknowledge it (a cancel `*`
    /// then is that failure too, not a free abort).
    public var pendingFailure: SASLFailure? {
        if case .bearerAwaitingAcknowledgement(let failure) = state { return failure }
        return nil
    }

    // client-resp = (gs2-header kvsep *kvpair kvsep) / kvsep
    // gs2-header = gs2-cb-flag "," [ authzid ] ","   ; gs2-cb-flag "n" or "y" (RFC 7628 §3.1)
    // kvpair = key "=" value kvsep ; auth = "auth=" "Bearer" 1*SP b64token
    func oauthBearer(_ message: [UInt8]) -> SASLStep {
        let fields = message.split(separator: 0x01, omittingEmptySubsequences: false)
        guard fields.count >= 3, fields[fields.count - 1].isEmpty, fields[fields.count - 2].isEmpty else {
            return .failure(.malformed("OAUTHBEARER message does not end with two \\x01"))
        }
        let header = fields[0].split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
        guard header.count == 3, header[2].isEmpty,
            header[0].elementsEqual("n".utf8) || header[0].elementsEqual("y".utf8)
        else { return .failure(.malformed("OAUTHBEARER gs2 header is not \"n,[a=…],\" or \"y,[a=…],\"")) }
        var named: String? = nil
        if !header[1].isEmpty {
            guard header[1].starts(with: "a=".utf8), let name = saslName(header[1].dropFirst(2)) else {
                return .failure(.malformed("OAUTHBEARER authzid is not a=saslname"))
            }
            named = name
        }
        let pairs = fields[1..<(fields.count - 2)]
        return bearer(pairs: pairs, named: named, mechanism: "OAUTHBEARER")
    }

    // Google's XOAUTH2: "user=" name %x01 "auth=Bearer " token %x01 %x01
    func xoauth2Message(_ message: [UInt8]) -> SASLStep {
        let fields = message.split(separator: 0x01, omittingEmptySubsequences: false)
        guard fields.count >= 3, fields[fields.count - 1].isEmpty, fields[fields.count - 2].isEmpty,
            fields[0].starts(with: "user=".utf8)
        else { return .failure(.malformed("XOAUTH2 message is not user=…\\x01auth=…\\x01\\x01")) }
        var user = fields[0].dropFirst(5)
        // Python sievelib sends "user=NAME," (a stray comma); the token decides the user anyway.
        if user.last == UInt8(ascii: ",") { user = user.dropLast() }
        guard let name = String(validating: user, as: UTF8.self), !name.contains("\0") else {
            return .failure(.malformed("XOAUTH2 user name is not UTF-8"))
        }
        return bearer(pairs: fields[1..<(fields.count - 2)], named: name.isEmpty ? nil : name, mechanism: "XOAUTH2")
    }

    private func bearer(pairs: ArraySlice<ArraySlice<UInt8>>, named: String?, mechanism: String) -> SASLStep {
        var token: ArraySlice<UInt8>? = nil
        for pair in pairs {
            guard let equals = pair.firstIndex(of: UInt8(ascii: "=")), equals > pair.startIndex else {
                return .failure(.malformed("\(mechanism) field is not key=value"))
            }
            let key = pair[..<equals]
            // host and port are informational (RFC 7628 §3.1); other keys are extensions to ignore.
            guard key.elementsEqual("auth".utf8) else { continue }
            guard token == nil else { return .failure(.malformed("\(mechanism) message has two auth fields")) }
            let value = pair[(equals + 1)...]
            guard value.count > 7, value.prefix(7).map({ $0 | 0x20 }).elementsEqual("bearer ".utf8) else {
                return .failure(.malformed("\(mechanism) auth field is not \"Bearer <token>\""))
            }
            var rest = value.dropFirst(7)
            while rest.first == UInt8(ascii: " ") { rest = rest.dropFirst() }
            // b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=" (RFC 6750 §2.1)
            guard !rest.isEmpty, rest.allSatisfy(Self.isTokenCharacter) else {
                return .failure(.malformed("\(mechanism) bearer token has characters outside b64token"))
            }
            token = rest
        }
        guard let token else { return .failure(.malformed("\(mechanism) message has no auth field")) }
        guard let checker = bearerChecker else { return .failure(.unsupportedMechanism) }
        switch checker.validate(Array(token)) {
        case .failure(let rejection):
            return .failure(.tokenRejected(rejection))
        case .success(let accepted):
            if let named, named != accepted.user {
                return .failure(.tokenRejected(.userMismatch(token: accepted.user, named: named)))
            }
            guard let entry = lookup(accepted.user) else { return .failure(.unknownUser(accepted.user)) }
            return .success(entry, serverFinal: nil)
        }
    }

    /// The error challenge of RFC 7628 §3.2.2 (OAUTHBEARER) or Google's equivalent (XOAUTH2).
    func bearerErrorChallenge(for failure: SASLFailure, mechanism: String) -> [UInt8] {
        var insufficientScope = false
        if case .tokenRejected(let rejection) = failure { insufficientScope = rejection.isInsufficientScope }
        let status =
            mechanism == "XOAUTH2"
            ? (insufficientScope ? "403" : "401")
            : (insufficientScope ? "insufficient_scope" : "invalid_token")
        var json = "{\"status\":\"\(status)\",\"schemes\":\"bearer\""
        if let scope = bearerChecker?.scope, !scope.isEmpty {
            json += ",\"scope\":\"" + Self.jsonEscaped(scope) + "\""
        }
        return Array((json + "}").utf8)
    }

    static func isTokenCharacter(_ c: UInt8) -> Bool {
        switch c {
        case 0x41...0x5A, 0x61...0x7A, 0x30...0x39: true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "+"),
            UInt8(ascii: "/"), UInt8(ascii: "="):
            true
        default: false
        }
    }

    // saslname = 1*( UTF8-char-safe / "=2C" / "=3D" ) (RFC 5801 §4)
    private func saslName(_ bytes: ArraySlice<UInt8>) -> String? {
        var out: [UInt8] = []
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if bytes[index] == UInt8(ascii: "=") {
                let code = bytes[index..<min(index + 3, bytes.endIndex)]
                if code.elementsEqual("=2C".utf8) {
                    out.append(UInt8(ascii: ","))
                } else if code.elementsEqual("=3D".utf8) {
                    out.append(UInt8(ascii: "="))
                } else {
                    return nil
                }
                index += 3
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        guard !out.isEmpty, !out.contains(0) else { return nil }
        return String(validating: out, as: UTF8.self)
    }

    private static func jsonEscaped(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\u{0}"..."\u{1F}": out += " "
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
