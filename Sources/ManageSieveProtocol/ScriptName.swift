// RFC 5804 §1.6: script names are Net-Unicode strings (RFC 5198), i.e. UTF-8 without control characters.

/// A script name that passed the rules of RFC 5804 §1.6 and our storage rules.
///
/// Rules: valid UTF-8; not empty; at most `maxLength` octets (the file is NAME.sieve and a file name has at
/// most 255 octets); no control characters (U+0000–U+001F, U+007F–U+009F, U+2028 LINE SEPARATOR,
/// U+2029 PARAGRAPH SEPARATOR, RFC 5198 §2); no "/" (it could never be a file name; Dovecot refuses it too).
/// ".", ".." and ".hidden" are valid names: the store maps them to safe file names.
public struct ScriptName: Hashable, Sendable, CustomStringConvertible {
    /// Longest name in octets.
    public static let maxLength = 200

    /// The name as text.
    public let string: String

    /// The name's UTF-8 octets.
    public var bytes: [UInt8] { Array(string.utf8) }

    public var description: String { string }

    /// Validates a name as received from the client.
    public init(validating bytes: [UInt8]) throws(ScriptNameError) {
        guard !bytes.isEmpty else {
            throw .empty
        }
        guard bytes.count <= Self.maxLength else {
            throw .tooLong(limit: Self.maxLength)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .invalidUTF8
        }
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029:
                throw .controlCharacter
            case 0x2F:
                throw .slash
            default:
                continue
            }
        }
        string = text
    }

    /// Validates a name given as text (e.g. on the admin tool's command line).
    public init(validating string: String) throws(ScriptNameError) {
        try self.init(validating: Array(string.utf8))
    }
}

/// Why a script name was refused.
public enum ScriptNameError: Error, Equatable, Sendable {
    case empty
    case tooLong(limit: Int)
    case invalidUTF8
    case controlCharacter
    case slash

    /// Human-readable text for a NO response or an error message.
    public var message: String {
        switch self {
        case .empty:
            "Script name is empty."
        case .tooLong(let limit):
            "Script name is longer than \(limit) octets."
        case .invalidUTF8:
            "Script name is not valid UTF-8."
        case .controlCharacter:
            "Script name contains a control character."
        case .slash:
            "Script name contains '/'."
        }
    }
}
