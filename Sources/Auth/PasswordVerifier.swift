/// Checks a password against a passwd-file password field.
public enum PasswordVerifier {
    /// What checking a password against a field found.
    public enum Outcome: Equatable, Sendable {
        /// The password is right.
        case match
        /// The password is wrong.
        case mismatch
        /// The field cannot verify any password (unknown or unsupported scheme, malformed data).
        case unusable(StoredPassword.Problem)
    }

    /// True when `password` matches `stored`; see `check` for the schemes.
    public static func verify(_ password: [UInt8], against stored: String, user: String = "") -> Bool {
        check(password, against: stored, user: user) == .match
    }

    /// Checks `password` against `stored` in any scheme of `doveadm pw -l` that can verify a plaintext password,
    /// read from Dovecot's encodings (`StoredPassword`): the crypt(3) family through libcrypt (so yescrypt
    /// `$y$` too), salted and unsalted SHA/MD5 digests through libcrypto, CRAM-MD5/HMAC-MD5 contexts,
    /// DIGEST-MD5 (which needs the login name, `user`), PBKDF2, ARGON2I/ARGON2ID through libargon2, Dovecot's
    /// SCRAM credentials, and the cleartext schemes. A password containing NUL never matches. The final
    /// comparison takes the same time wherever the first difference is.
    public static func check(_ password: [UInt8], against stored: String, user: String = "") -> Outcome {
        switch StoredPassword.parse(stored) {
        case .failure(let problem):
            return .unusable(problem)
        case .success(let parsed):
            guard !password.contains(0) else { return .mismatch }
            return parsed.matches(password, user: user) ? .match : .mismatch
        }
    }

    /// Does the work of checking a wrong password, for a user who does not exist, so that the answer takes
    /// as long as for a real user with a SHA512-CRYPT password.
    public static func burnEquivalentWork(_ password: [UInt8]) {
        _ = StoredPassword(scheme: "SHA512-CRYPT", form: .crypt(dummyHash)).matches(
            password.filter { $0 != 0 }, user: "")
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
