public import Posix

/// Failures of the Auth target that are not a login's outcome (a wrong password is `SASLFailure`).
public enum AuthError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The passwd-file could not be read.
    case passwdFileUnreadable(path: String, SystemError)
    /// libcrypt could not make a salt or a hash for this scheme.
    case hashingFailed(scheme: String)
    /// The iteration count or cost is outside what the scheme accepts (SCRAM: 4096…10,000,000).
    case badRounds(scheme: String, rounds: UInt)
    /// The password contains a NUL octet, which no crypt scheme can carry.
    case passwordContainsNUL

    public var description: String {
        switch self {
        case .passwdFileUnreadable(let path, let error): "cannot read passwd-file \(path): \(error)"
        case .hashingFailed(let scheme): "libcrypt failed to hash with scheme \(scheme)"
        case .badRounds(let scheme, let rounds): "\(rounds) rounds are out of range for scheme \(scheme)"
        case .passwordContainsNUL: "a password must not contain a NUL octet"
        }
    }
}
