/// Checks a password against a passwd-file password field.
public enum PasswordVerifier {
    /// True when `password` matches `stored` (`{SCHEME}hash` or a bare crypt hash). Schemes: CRYPT,
    /// SHA512-CRYPT, SHA256-CRYPT, BLF-CRYPT, MD5-CRYPT (all through crypt_rn, so yescrypt `$y$` too),
    /// PLAIN and CLEARTEXT, and Dovecot's SCRAM-SHA-1 and SCRAM-SHA-256 (PBKDF2, then StoredKey compared). An unknown scheme, an empty field, a hash libcrypt refuses, or a password
    /// containing NUL never verifies. The final comparison takes the same time wherever the first difference is.
    public static func verify(_ password: [UInt8], against stored: String) -> Bool {
        guard !password.contains(0) else { return false }
        let (scheme, data) = split(stored)
        guard !data.isEmpty else { return false }
        switch scheme {
        case "PLAIN", "CLEARTEXT":
            return constantTimeEqual(password, Array(data.utf8))
        case nil, "CRYPT":
            return cryptVerify(password, hash: data)
        case "SHA512-CRYPT":
            return data.hasPrefix("$6$") && cryptVerify(password, hash: data)
        case "SHA256-CRYPT":
            return data.hasPrefix("$5$") && cryptVerify(password, hash: data)
        case "BLF-CRYPT":
            return data.hasPrefix("$2") && cryptVerify(password, hash: data)
        case "MD5-CRYPT":
            return data.hasPrefix("$1$") && cryptVerify(password, hash: data)
        case "SCRAM-SHA-1":
            return SCRAMCredentials(hash: .sha1, stored: data)?.verify(password) ?? false
        case "SCRAM-SHA-256":
            return SCRAMCredentials(hash: .sha256, stored: data)?.verify(password) ?? false
        default:
            return false
        }
    }

    /// Does the work of checking a wrong password, for a user who does not exist, so that the answer takes
    /// as long as for a real user with a SHA512-CRYPT password.
    public static func burnEquivalentWork(_ password: [UInt8]) {
        _ = cryptVerify(password.filter { $0 != 0 }, hash: Substring(dummyHash))
    }

    /// A $6$ hash (default 5000 rounds) of a password nobody types.
    static let dummyHash =
        "$6$burnburnburn1234$F/H4EWzO797S6vJ1.5MwtkJC/.7b5RQSq8O0vh9SviSvZB.ztH4Llp5QChym3DPTWs9CLSIQUvGbqHuKfZHWF."

    /// The upper-cased scheme name of `{SCHEME}rest`, or nil when there is no `{…}` prefix.
    static func split(_ stored: String) -> (scheme: String?, data: Substring) {
        guard stored.first == "{", let close = stored.firstIndex(of: "}") else { return (nil, Substring(stored)) }
        let scheme = stored[stored.index(after: stored.startIndex)..<close].uppercased()
        return (scheme, stored[stored.index(after: close)...])
    }

    private static func cryptVerify(_ password: [UInt8], hash: Substring) -> Bool {
        guard !hash.isEmpty, let computed = Crypt.hash(password, setting: String(hash)) else { return false }
        return constantTimeEqual(Array(computed.utf8), Array(hash.utf8))
    }

    /// Compares without an early exit; the time depends only on the lengths.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference: UInt8 = a.count == b.count ? 0 : 1
        let count = max(a.count, b.count)
        for index in 0..<count {
            let x = index < a.count ? a[index] : 0
            let y = index < b.count ? b[index] : 0
            difference |= x ^ y
        }
        return difference == 0
    }
}
