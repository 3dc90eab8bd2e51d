// RFC 5804 §4: the grammar of one framed command. The framer (CommandParser.swift) hands over the command's
// text with line ends and literal headers removed, and the literals with the offsets at which they stand.

/// The command names of RFC 5804 §2, matched case-insensitively.
enum CommandName {
    static let all = [
        "AUTHENTICATE", "STARTTLS", "LOGOUT", "CAPABILITY", "HAVESPACE", "PUTSCRIPT", "LISTSCRIPTS", "SETACTIVE",
        "GETSCRIPT", "DELETESCRIPT", "RENAMESCRIPT", "CHECKSCRIPT", "NOOP", "UNAUTHENTICATE", "XCLIENT",
    ]

    /// The upper-case name if `bytes` spell a known command in any case.
    static func recognise(_ bytes: ArraySlice<UInt8>) -> String? {
        guard bytes.count <= 14 else {
            return nil
        }
        var upper: [UInt8] = []
        upper.reserveCapacity(bytes.count)
        for byte in bytes {
            upper.append(byte >= 0x61 && byte <= 0x7A ? byte - 0x20 : byte)
        }
        return all.first { $0.utf8.elementsEqual(upper) }
    }
}

/// A recursive-descent parser over one framed command; one function per ABNF rule.
struct CommandGrammar {
    private let text: [UInt8]
    private let literalOffsets: [Int]
    private let literals: [[UInt8]]
    private let limits: ParserLimits
    private var index = 0
    private var nextLiteral = 0
    private var commandName = ""
    /// The longest quoted string for the current argument. SASL data (AUTHENTICATE's initial response and
    /// the client's responses) may be longer than RFC 5804's 1024 octets: clients send an OAuth token of a
    /// few KB base64-encoded as a quoted string (PHP Net_Sieve's XOAUTH2, sievelib), and Dovecot accepts it.
    /// It stays bounded by what a literal for the same data may hold.
    private var quotedLimit: Int

    init(_ command: CommandParser.PendingCommand, limits: ParserLimits) {
        text = command.text
        literalOffsets = command.literalOffsets
        literals = command.literals
        self.limits = limits
        quotedLimit = limits.maxQuotedLength
    }

    // MARK: - Commands

    /// RFC 5804 §4:
    ///     command = command-authenticate / command-capability / command-checkscript / command-deletescript /
    ///               command-getscript / command-havespace / command-listscripts / command-logout /
    ///               command-noop / command-putscript / command-renamescript / command-setactive /
    ///               command-starttls / command-unauthenticate
    mutating func parseCommand() -> ParseEvent {
        if text.isEmpty && literals.isEmpty {
            return .invalid(.emptyCommand, command: nil)
        }
        let name = atom()
        guard let recognised = CommandName.recognise(name) else {
            if name.contains(Ascii.nul) {
                return .invalid(.nulByte, command: nil)
            }
            if name.isEmpty && !hasLiteralHere && index >= text.count {
                return .invalid(.emptyCommand, command: nil)
            }
            return .invalid(.unknownCommand(Array(name.prefix(64))), command: nil)
        }
        commandName = recognised
        do {
            let command = try arguments(of: recognised)
            try end()
            return .command(command)
        } catch {
            if case .badArguments = error, text.contains(Ascii.nul) {
                return .invalid(.nulByte, command: recognised)
            }
            return .invalid(error, command: recognised)
        }
    }

    private mutating func arguments(of name: String) throws(ProtocolError) -> Command {
        switch name {
        // command-authenticate = "AUTHENTICATE" SP auth-type [SP string] *(CRLF string)
        // auth-type            = string
        case "AUTHENTICATE":
            let mechanism = try spaceThenString()
            guard let mechanismText = String(validating: mechanism, as: UTF8.self) else {
                throw .invalidUTF8
            }
            quotedLimit = max(limits.maxQuotedLength, limits.maxOtherLiteralSize)
            let initial = try optionalSpaceThenString()
            return .authenticate(mechanism: mechanismText, initialResponse: initial)
        // command-starttls = "STARTTLS" CRLF
        case "STARTTLS":
            return .startTLS
        // command-logout = "LOGOUT" CRLF
        case "LOGOUT":
            return .logout
        // command-capability = "CAPABILITY" CRLF
        case "CAPABILITY":
            return .capability
        // command-havespace = "HAVESPACE" SP sieve-name SP number CRLF
        case "HAVESPACE":
            let name = try spaceThenString()
            try space()
            let size = try number()
            return .haveSpace(name: name, size: size)
        // command-putscript = "PUTSCRIPT" SP sieve-name SP sieve-script CRLF
        // sieve-script      = string
        case "PUTSCRIPT":
            let name = try spaceThenString()
            let content = try spaceThenString()
            return .putScript(name: name, content: content)
        // command-listscripts = "LISTSCRIPTS" CRLF
        case "LISTSCRIPTS":
            return .listScripts
        // command-setactive = "SETACTIVE" SP active-sieve-name CRLF
        // active-sieve-name = string  ; may be empty: deactivate
        case "SETACTIVE":
            return .setActive(name: try spaceThenString())
        // command-getscript = "GETSCRIPT" SP sieve-name CRLF
        case "GETSCRIPT":
            return .getScript(name: try spaceThenString())
        // command-deletescript = "DELETESCRIPT" SP sieve-name CRLF
        case "DELETESCRIPT":
            return .deleteScript(name: try spaceThenString())
        // command-renamescript = "RENAMESCRIPT" SP old-sieve-name SP new-sieve-name CRLF
        case "RENAMESCRIPT":
            let oldName = try spaceThenString()
            let newName = try spaceThenString()
            return .renameScript(oldName: oldName, newName: newName)
        // command-checkscript = "CHECKSCRIPT" SP sieve-script CRLF
        case "CHECKSCRIPT":
            return .checkScript(content: try spaceThenString())
        // command-noop = "NOOP" [SP string] CRLF
        case "NOOP":
            return .noop(tag: try optionalSpaceThenString())
        // command-unauthenticate = "UNAUTHENTICATE" CRLF
        case "UNAUTHENTICATE":
            return .unauthenticate
        // command-xclient = "XCLIENT" 1*(SP field) CRLF ; field = 1*(any octet but SP), e.g. TTL=4
        // (not in RFC 5804: Pigeonhole's form, as Dovecot's proxy sends it)
        case "XCLIENT":
            var fields: [[UInt8]] = []
            while index < text.count || hasLiteralHere {
                try space()
                guard !hasLiteralHere else { throw .badArguments(command: commandName, reason: "expected NAME=value") }
                let field = atom()
                guard !field.isEmpty, fields.count < 16 else {
                    throw .badArguments(command: commandName, reason: "expected at most 16 NAME=value fields")
                }
                fields.append(Array(field))
            }
            guard !fields.isEmpty else { throw .badArguments(command: commandName, reason: "missing argument") }
            return .xclient(fields: fields)
        default:
            throw .unknownCommand(Array(name.utf8))
        }
    }

    /// RFC 5804 §2.1: a client response during AUTHENTICATE is a string; a string "*" cancels.
    ///     command-authenticate = "AUTHENTICATE" SP auth-type [SP string] *(CRLF string)
    /// A bare `*` (IMAP's form, RFC 3501 §6.2.2) is taken as a cancel as well.
    mutating func parseSASLResponse() -> ParseEvent {
        if literals.isEmpty && text == [Ascii.asterisk] {
            return .saslCancel
        }
        commandName = "AUTHENTICATE"
        quotedLimit = max(limits.maxQuotedLength, limits.maxOtherLiteralSize)
        do {
            let response = try string()
            try end()
            return response == [Ascii.asterisk] ? .saslCancel : .saslResponse(response)
        } catch {
            return .invalid(.badSASLResponse, command: "AUTHENTICATE")
        }
    }

    // MARK: - Tokens

    /// A literal stands at the current position (it comes before `text[index]`).
    private var hasLiteralHere: Bool {
        nextLiteral < literalOffsets.count && literalOffsets[nextLiteral] == index
    }

    /// Where the text before the next literal ends.
    private var textLimit: Int {
        nextLiteral < literalOffsets.count ? literalOffsets[nextLiteral] : text.count
    }

    /// The bytes up to the next SP, literal or end of the command.
    private mutating func atom() -> ArraySlice<UInt8> {
        let start = index
        let limit = textLimit
        while index < limit && text[index] != Ascii.space {
            index += 1
        }
        return text[start..<index]
    }

    /// SP = %x20, exactly one between arguments.
    private mutating func space() throws(ProtocolError) {
        guard !hasLiteralHere, index < text.count else {
            throw .badArguments(command: commandName, reason: "missing argument")
        }
        guard text[index] == Ascii.space else {
            throw .badArguments(command: commandName, reason: "expected a space")
        }
        index += 1
    }

    private mutating func spaceThenString() throws(ProtocolError) -> [UInt8] {
        try space()
        return try string()
    }

    private mutating func optionalSpaceThenString() throws(ProtocolError) -> [UInt8]? {
        if !hasLiteralHere && index == text.count {
            return nil
        }
        return try spaceThenString()
    }

    /// The command ends here: CRLF, nothing after the arguments.
    private mutating func end() throws(ProtocolError) {
        guard !hasLiteralHere, index == text.count else {
            throw .badArguments(command: commandName, reason: "unexpected characters after the arguments")
        }
    }

    /// RFC 5804 §4:
    ///     string = quoted / literal-c2s / literal-s2c
    private mutating func string() throws(ProtocolError) -> [UInt8] {
        if hasLiteralHere {
            let content = literals[nextLiteral]
            nextLiteral += 1
            return content
        }
        guard index < textLimit, text[index] == Ascii.quote else {
            if index < text.count && text[index] == Ascii.nul {
                throw .nulByte
            }
            throw .badArguments(command: commandName, reason: "expected a string")
        }
        return try quoted()
    }

    /// RFC 5804 §4:
    ///     quoted          = DQUOTE *1024QUOTED-CHAR DQUOTE
    ///     QUOTED-CHAR     = SAFE-UTF8-CHAR / "\" QUOTED-SPECIALS
    ///     QUOTED-SPECIALS = DQUOTE / "\"
    ///     SAFE-CHAR       = %x01-09 / %x0B-0C / %x0E-21 / %x23-5B / %x5D-7F
    /// UTF-8 is checked where the value is used (script names, mechanism names).
    private mutating func quoted() throws(ProtocolError) -> [UInt8] {
        let limit = textLimit
        var content: [UInt8] = []
        var i = index + 1
        while true {
            guard i < limit else {
                throw .badQuotedString("unterminated quoted string")
            }
            let byte = text[i]
            switch byte {
            case Ascii.quote:
                index = i + 1
                return content
            case Ascii.backslash:
                guard i + 1 < limit, text[i + 1] == Ascii.quote || text[i + 1] == Ascii.backslash else {
                    throw .badQuotedString("only \\\" and \\\\ may be escaped")
                }
                content.append(text[i + 1])
                i += 2
            case Ascii.cr, Ascii.lf, Ascii.nul:
                throw .badQuotedString("CR, LF or NUL in a quoted string")
            default:
                content.append(byte)
                i += 1
            }
            if content.count > quotedLimit {
                throw .badQuotedString("longer than \(quotedLimit) octets")
            }
        }
    }

    /// RFC 5804 §4:
    ///     number = 1*DIGIT  ; a 32-bit unsigned number (0 <= n < 4,294,967,296)
    private mutating func number() throws(ProtocolError) -> UInt64 {
        if hasLiteralHere {
            throw .badNumber
        }
        let digits = atom()
        guard !digits.isEmpty else {
            throw .badNumber
        }
        var value: UInt64 = 0
        for byte in digits {
            guard Ascii.isDigit(byte) else {
                throw .badNumber
            }
            value = value * 10 + UInt64(byte - Ascii.zero)
            if value > UInt64(UInt32.max) {
                throw .badNumber
            }
        }
        return value
    }
}
