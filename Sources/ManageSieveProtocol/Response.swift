// RFC 5804 §1.3: responses are values; only `ResponseEncoder` turns them into bytes.

/// RFC 5804 §1.3 response codes.
public enum ResponseCode: Equatable, Sendable {
    case authTooWeak
    case encryptNeeded
    /// `QUOTA` with no sub-code.
    case quota
    case quotaMaxScripts
    case quotaMaxSize
    /// `QUOTA/MAXSTORAGE` (draft code also sent by Dovecot).
    case quotaMaxStorage
    case referral(String)
    /// `SASL "…"`: the server's final SASL data, already base64-encoded.
    case sasl([UInt8])
    case transitionNeeded
    case tryLater
    case active
    case nonExistent
    case alreadyExists
    case tag([UInt8])
    case warnings
}

/// The status of a response line.
public enum Status: Equatable, Sendable {
    case ok
    case no
    case bye
}

/// One `OK` / `NO` / `BYE` line, with an optional code and human-readable text.
/// `text == nil` encodes a bare status (Cyrus's sieveshell accepts nothing else where the text adds nothing).
public struct Response: Equatable, Sendable {
    public var status: Status
    public var code: ResponseCode?
    public var text: [UInt8]?

    public init(_ status: Status, code: ResponseCode? = nil, text: [UInt8]? = nil) {
        self.status = status
        self.code = code
        self.text = text
    }

    public init(_ status: Status, code: ResponseCode? = nil, _ text: String) {
        self.init(status, code: code, text: Array(text.utf8))
    }

    public static let ok = Response(.ok)
}

/// One capability line: `"NAME"` or `"NAME" "value"` (RFC 5804 §1.7).
public struct Capability: Equatable, Sendable {
    public var name: String
    public var value: String?
    public init(_ name: String, _ value: String? = nil) {
        self.name = name
        self.value = value
    }
}

/// Everything the server can write.
public enum ServerOutput: Equatable, Sendable {
    /// A status line.
    case response(Response)
    /// The capability block (each line), without the final OK.
    case capabilities([Capability])
    /// LISTSCRIPTS data lines, without the final OK.
    case scriptList([ScriptListEntry])
    /// GETSCRIPT data: the script as a literal, without the final OK.
    case script([UInt8])
    /// An AUTHENTICATE continuation: the challenge, already base64-encoded, as a string line.
    case saslChallenge([UInt8])
}

/// One LISTSCRIPTS entry.
public struct ScriptListEntry: Equatable, Sendable {
    public var name: String
    public var isActive: Bool
    public init(name: String, isActive: Bool) {
        self.name = name
        self.isActive = isActive
    }
}
