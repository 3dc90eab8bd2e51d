// RFC 5804 §2: the commands a client may send.
// Strings are raw octets as received (quoted-string unescaped, or literal content);
// the server validates script names with `ScriptName(validating:)`.

/// One parsed client command.
public enum Command: Equatable, Sendable {
    /// RFC 5804 §2.1: `AUTHENTICATE mechanism [initial-response]` (response still base64, as sent).
    case authenticate(mechanism: String, initialResponse: [UInt8]?)
    /// RFC 5804 §2.2
    case startTLS
    /// RFC 5804 §2.3
    case logout
    /// RFC 5804 §2.4
    case capability
    /// RFC 5804 §2.5
    case haveSpace(name: [UInt8], size: UInt64)
    /// RFC 5804 §2.6
    case putScript(name: [UInt8], content: [UInt8])
    /// RFC 5804 §2.7
    case listScripts
    /// RFC 5804 §2.8
    case setActive(name: [UInt8])
    /// RFC 5804 §2.9
    case getScript(name: [UInt8])
    /// RFC 5804 §2.10
    case deleteScript(name: [UInt8])
    /// RFC 5804 §2.11
    case renameScript(oldName: [UInt8], newName: [UInt8])
    /// RFC 5804 §2.12
    case checkScript(content: [UInt8])
    /// RFC 5804 §2.13
    case noop(tag: [UInt8]?)
    /// RFC 5804 §2.14.1
    case unauthenticate
    /// `XCLIENT NAME=value…` (Pigeonhole's extension, also sent by Dovecot's proxy): a trusted proxy in front
    /// tells the real client's address and the hop count left (`TTL=`). The fields as sent, one atom each.
    case xclient(fields: [[UInt8]])

    /// The command's name in upper case, for logs and error texts.
    public var name: String {
        switch self {
        case .authenticate: "AUTHENTICATE"
        case .startTLS: "STARTTLS"
        case .logout: "LOGOUT"
        case .capability: "CAPABILITY"
        case .haveSpace: "HAVESPACE"
        case .putScript: "PUTSCRIPT"
        case .listScripts: "LISTSCRIPTS"
        case .setActive: "SETACTIVE"
        case .getScript: "GETSCRIPT"
        case .deleteScript: "DELETESCRIPT"
        case .renameScript: "RENAMESCRIPT"
        case .checkScript: "CHECKSCRIPT"
        case .noop: "NOOP"
        case .unauthenticate: "UNAUTHENTICATE"
        case .xclient: "XCLIENT"
        }
    }
}
