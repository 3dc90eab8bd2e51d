// RFC 5804 §1.3, §4: the only code that writes server bytes.
//
// Every server string goes through `encodeString`, which chooses a quoted string or a literal, so that no
// value (a script name, a tag, a message) can end a line early, forge a response or an ACTIVE marker.

/// Turns `ServerOutput` values into wire bytes.
public enum ResponseEncoder {
    /// Longest content sent as a quoted string (RFC 5804 §4: `quoted = DQUOTE *1024QUOTED-CHAR DQUOTE`).
    public static let maxQuotedLength = 1024

    /// The bytes of one output.
    public static func encode(_ output: ServerOutput) -> [UInt8] {
        var bytes: [UInt8] = []
        encode(output, into: &bytes)
        return bytes
    }

    /// Appends the bytes of one output to `bytes`.
    public static func encode(_ output: ServerOutput, into bytes: inout [UInt8]) {
        switch output {
        case .response(let response):
            encode(response, into: &bytes)
        case .capabilities(let capabilities):
            // RFC 5804 §1.7: capability-line = string [SP string] CRLF
            for capability in capabilities {
                encodeString(Array(capability.name.utf8), into: &bytes)
                if let value = capability.value {
                    bytes.append(Ascii.space)
                    encodeString(Array(value.utf8), into: &bytes)
                }
                appendCRLF(&bytes)
            }
        case .scriptList(let entries):
            // RFC 5804 §2.7: listscripts-line = sieve-name [SP "ACTIVE"] CRLF
            bytes.reserveCapacity(bytes.count + entries.reduce(0) { $0 + $1.name.utf8.count + 4 } + 7)
            for entry in entries {
                // The name's own storage, not a copy of it per line.
                var name = entry.name
                name.withUTF8 { encodeString($0, into: &bytes) }
                if entry.isActive {
                    bytes.append(contentsOf: " ACTIVE".utf8)
                }
                appendCRLF(&bytes)
            }
        case .script(let content):
            // RFC 5804 §2.9: the script is always sent as a literal.
            encodeLiteral(content, into: &bytes)
            appendCRLF(&bytes)
        case .saslChallenge(let challenge):
            // RFC 5804 §2.1: a challenge is a string on a line of its own.
            encodeString(challenge, into: &bytes)
            appendCRLF(&bytes)
        }
    }

    /// The bytes of a status line.
    public static func encode(_ response: Response) -> [UInt8] {
        var bytes: [UInt8] = []
        encode(response, into: &bytes)
        return bytes
    }

    /// RFC 5804 §4:
    ///     response-ok  = "OK" [SP "(" resp-code ")"] [SP string] CRLF
    ///     response-nobye = ("NO" / "BYE") [SP "(" resp-code ")"] [SP string] CRLF
    public static func encode(_ response: Response, into bytes: inout [UInt8]) {
        switch response.status {
        case .ok: bytes.append(contentsOf: "OK".utf8)
        case .no: bytes.append(contentsOf: "NO".utf8)
        case .bye: bytes.append(contentsOf: "BYE".utf8)
        }
        if let code = response.code {
            bytes.append(contentsOf: " (".utf8)
            encode(code, into: &bytes)
            bytes.append(0x29)
        }
        if let text = response.text {
            bytes.append(Ascii.space)
            encodeString(text, into: &bytes)
        }
        appendCRLF(&bytes)
    }

    /// RFC 5804 §4 (and §1.3):
    ///     resp-code = "AUTH-TOO-WEAK" / "ENCRYPT-NEEDED" / "QUOTA" ["/" ("MAXSCRIPTS" / "MAXSIZE")] /
    ///                 resp-code-sasl / resp-code-referral / "TRANSITION-NEEDED" / "TRYLATER" / "ACTIVE" /
    ///                 "NONEXISTENT" / "ALREADYEXISTS" / "WARNINGS" / "TAG" SP string / resp-code-ext
    ///     resp-code-sasl     = "SASL" SP string
    ///     resp-code-referral = "REFERRAL" SP sieveurl
    static func encode(_ code: ResponseCode, into bytes: inout [UInt8]) {
        switch code {
        case .authTooWeak: bytes.append(contentsOf: "AUTH-TOO-WEAK".utf8)
        case .encryptNeeded: bytes.append(contentsOf: "ENCRYPT-NEEDED".utf8)
        case .quota: bytes.append(contentsOf: "QUOTA".utf8)
        case .quotaMaxScripts: bytes.append(contentsOf: "QUOTA/MAXSCRIPTS".utf8)
        case .quotaMaxSize: bytes.append(contentsOf: "QUOTA/MAXSIZE".utf8)
        case .quotaMaxStorage: bytes.append(contentsOf: "QUOTA/MAXSTORAGE".utf8)
        case .referral(let url):
            bytes.append(contentsOf: "REFERRAL ".utf8)
            encodeString(Array(url.utf8), into: &bytes)
        case .sasl(let data):
            bytes.append(contentsOf: "SASL ".utf8)
            encodeString(data, into: &bytes)
        case .transitionNeeded: bytes.append(contentsOf: "TRANSITION-NEEDED".utf8)
        case .tryLater: bytes.append(contentsOf: "TRYLATER".utf8)
        case .active: bytes.append(contentsOf: "ACTIVE".utf8)
        case .nonExistent: bytes.append(contentsOf: "NONEXISTENT".utf8)
        case .alreadyExists: bytes.append(contentsOf: "ALREADYEXISTS".utf8)
        case .tag(let tag):
            bytes.append(contentsOf: "TAG ".utf8)
            encodeString(tag, into: &bytes)
        case .warnings: bytes.append(contentsOf: "WARNINGS".utf8)
        }
    }

    /// A server string: quoted when that is safe, else a literal.
    public static func encodeString(_ content: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        encodeString(content, into: &bytes)
        return bytes
    }

    /// RFC 5804 §4: `string = quoted / literal-s2c`. Quoted when the content has no CR, LF or NUL, is valid
    /// UTF-8 and at most 1024 octets (`"` and `\` escaped); otherwise `{N}` CRLF and the octets.
    public static func encodeString(_ content: [UInt8], into bytes: inout [UInt8]) {
        content.withUnsafeBufferPointer { encodeString($0, into: &bytes) }
    }

    /// `encodeString` of bytes in place (the greeting encodes its values without copying them into arrays).
    public static func encodeString(_ content: UnsafeBufferPointer<UInt8>, into bytes: inout [UInt8]) {
        guard canQuote(content) else {
            encodeLiteral(Array(content), into: &bytes)
            return
        }
        bytes.append(Ascii.quote)
        if content.contains(where: { $0 == Ascii.quote || $0 == Ascii.backslash }) {
            for byte in content {
                if byte == Ascii.quote || byte == Ascii.backslash {
                    bytes.append(Ascii.backslash)
                }
                bytes.append(byte)
            }
        } else {
            // The common case in one copy: a LISTSCRIPTS of thousands of names otherwise appends byte by byte.
            bytes.append(contentsOf: content)
        }
        bytes.append(Ascii.quote)
    }

    /// RFC 5804 §4: `literal-s2c = "{" number-str "}" CRLF *OCTET`.
    static func encodeLiteral(_ content: [UInt8], into bytes: inout [UInt8]) {
        bytes.append(Ascii.openBrace)
        bytes.append(contentsOf: String(content.count).utf8)
        bytes.append(Ascii.closeBrace)
        appendCRLF(&bytes)
        bytes.append(contentsOf: content)
    }

    private static func canQuote(_ content: UnsafeBufferPointer<UInt8>) -> Bool {
        guard content.count <= maxQuotedLength else {
            return false
        }
        var ascii = true
        for byte in content {
            if byte == Ascii.cr || byte == Ascii.lf || byte == Ascii.nul {
                return false
            }
            if byte >= 0x80 {
                ascii = false
            }
        }
        return ascii || String(validating: content, as: UTF8.self) != nil
    }

    private static func appendCRLF(_ bytes: inout [UInt8]) {
        bytes.append(Ascii.cr)
        bytes.append(Ascii.lf)
    }
}
