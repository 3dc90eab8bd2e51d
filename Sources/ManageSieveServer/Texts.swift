import ManageSieveProtocol
import SieveStorage

/// Every human-readable response text the server sends, in one place.
enum Texts {
    static let authenticateFirst = "Authenticate first."
    static let alreadyAuthenticated = "Already authenticated."
    static let authenticationFailed = "Authentication failed."
    static let temporaryAuthFailure = "Temporary authentication failure, try again later."
    static let authenticationAborted = "Authentication aborted by client."
    static let unsupportedMechanism = "Unsupported authentication mechanism."
    static let channelBindingNotOffered = "This channel binding is not offered here; try another mechanism."
    static let invalidBase64 = "Invalid base64 data in SASL response."
    static let tooManyFailedLogins = "Too many failed authentication attempts."
    static let tooManyBadCommands = "Too many invalid commands."
    static let tooManyCommands = "Too many commands in one session."
    static let encryptionNeeded = "Use STARTTLS first: plaintext authentication is disabled on unencrypted connections."
    static let tlsRequired = "Use STARTTLS first: this server requires TLS."
    static let tlsUnavailable = "TLS is not available on this server."
    static let tlsAlreadyActive = "TLS is already active."
    static let tlsAfterLogin = "STARTTLS is only allowed before login."
    static let emptyScript = "An empty script is not allowed."
    static let proxyLoop = "Proxy loop detected, try again later."
    static let backendRefusedLogin = "Backend server refused the login, try again later."
    static let backendTimeout = "Backend server timed out, try again later."
    static let backendUnavailable = "Backend server unavailable, try again later."
    static func proxyMechanismNotRelayable(_ mechanism: String) -> String {
        "This account cannot log in with \(mechanism), use PLAIN."
    }
    static let beginTLS = "Begin TLS negotiation now."
    static let idleTimeout = "Disconnected for inactivity."
    static let commandTimeout = "Timed out waiting for the rest of the command."
    static let loginTimeout = "Timed out waiting for login."
    static func invalidStoredScriptName(_ name: String) -> String { "Invalid script name '\(name)'." }
    static let xclientNotTrusted = "XCLIENT is accepted only from trusted networks."
    static func xclientBadField(_ name: String) -> String { "XCLIENT: invalid \(name) value." }

    static func invalidScriptName(_ error: ScriptNameError) -> String {
        "Invalid script name: \(error.message)"
    }

    static func nonExistent(_ name: String) -> String { "There is no script named '\(name)'." }
    static func alreadyExists(_ name: String) -> String { "A script named '\(name)' already exists." }
    static func activeNotDeletable(_ name: String) -> String {
        "Script '\(name)' is active; deactivate it (SETACTIVE \"\") before deleting it."
    }
    static func quota(_ kind: QuotaKind, limit: UInt64) -> String {
        switch kind {
        case .maxSize: "Script is too large: the limit is \(limit) bytes."
        case .maxScripts: "Too many scripts: the limit is \(limit)."
        case .maxStorage: "Not enough room: the storage limit is \(limit) bytes."
        }
    }
    /// A script the active script includes: `chain` runs from the active script down to `name`.
    static func includedByActive(_ name: String, active: String, chain: [String], line: Int) -> String {
        let advice = " Remove the include or deactivate '\(active)' first."
        guard chain.count > 2 else {
            return "'\(name)' is included by the active script '\(active)' (line \(line))." + advice
        }
        let includer = chain[chain.count - 2]
        return "'\(name)' is included by '\(includer)' (line \(line)), which the active script '\(active)' includes ("
            + chain.joined(separator: " -> ") + ")." + advice
    }
    static func includeBreaksActive(_ name: String, active: String, errors: [String]) -> String {
        (["'\(name)' is included by the active script '\(active)', which would no longer compile with this version:"]
            + errors).joined(separator: "\r\n")
    }
    static let storageBusy = "The script storage is busy; try again later."
    static let diskFull = "Not enough disk space for the script."
    static let storageFailure = "Internal error while accessing the script storage; try again later."

    /// Text for a command the parser refused.
    static func protocolError(_ error: ProtocolError) -> String {
        switch error {
        case .lineTooLong(let limit): "Command line too long (limit \(limit) bytes)."
        case .unknownCommand(let name): "Unknown command '\(printable(name))'."
        case .emptyCommand: "Empty command."
        case .badArguments(let command, let reason): "\(command): \(reason)"
        case .malformedLiteral: "Malformed literal."
        case .literalTooLarge(let command, let declared, let limit):
            "\(command): script of \(declared) bytes is larger than the limit of \(limit) bytes."
        case .stringTooLong(let command, let limit): "\(command): string longer than \(limit) bytes."
        case .badQuotedString(let reason): "Bad quoted string: \(reason)"
        case .nulByte: "NUL byte in command."
        case .invalidUTF8: "Invalid UTF-8."
        case .badNumber: "Bad number."
        case .badSASLResponse: "Bad SASL response: expected a string or \"*\"."
        }
    }

    /// Makes client bytes safe to echo in a quoted text (printable ASCII only, bounded).
    static func printable(_ bytes: [UInt8]) -> String {
        var out = ""
        for byte in bytes.prefix(64) {
            if byte >= 0x20 && byte < 0x7F && byte != 0x22 && byte != 0x5C {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "?"
            }
        }
        return out
    }
}
