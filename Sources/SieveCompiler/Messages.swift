// Every diagnostic text the compiler produces lives in this file. Wording follows Pigeonhole's where
// users already know it, and adds what to do where it can.

public enum DiagnosticKind: Equatable, Sendable {
    public enum CommandKind: Equatable, Sendable, CustomStringConvertible {
        case command, test
        public var description: String {
            switch self {
            case .command: return "command"
            case .test: return "test"
            }
        }
    }

    // Size and lexical structure.
    case scriptTooLarge(limit: Int)
    case byteOrderMark
    case nulCharacter
    case hashCommentAtEndOfFile
    case unterminatedComment(startLine: Int)
    case unexpectedCharacter(String)
    case identifierTooLong(String)
    case numberTooLarge
    case stringTooLong(limit: Int)
    case unterminatedString(startLine: Int)
    case unterminatedMultiline(startLine: Int)
    case badCharacterAfterText(String)
    case strayCarriageReturn(startLine: Int)
    // Grammar.
    case unexpectedAtEnd(String)
    case unexpectedToken(expected: ExpectedToken, found: String)
    case tooManyCommands(limit: Int)
    case nestingTooDeep(limit: Int)
    case testNestingTooDeep(limit: Int)
    case tooManyArguments(command: String, limit: Int)
    // require and lookup.
    case unknownCapability(String, suggestion: String?)
    case capabilityNotEnabled(String)
    case notEnabled(String, kind: CommandKind, extension: String)
    case requireNotAtTop
    case deprecatedExtension(String)
    case conflictingExtensions(String, String)
    case missingDependency(extension: String, needs: String)
    case unknownCommand(String, kind: CommandKind, suggestion: String?)
    case notRequired(String, kind: CommandKind, extension: String)
    case wrongKind(String, usedAs: CommandKind)
    // Structure.
    case elseWithoutIf(String)
    case blockRequired(command: String)
    case blockNotAllowed(command: String)
    case noTestsAllowed(command: String, kind: CommandKind)
    case testRequired(command: String, kind: CommandKind)
    case singleTestRequired(command: String, kind: CommandKind)
    case testListRequired(command: String, kind: CommandKind)
    case unreachableAfterStop(stopLine: Int)
    // Arguments.
    case unknownTag(String, command: String, kind: CommandKind, suggestion: String?)
    case tagNotRequired(String, command: String, kind: CommandKind, extension: String)
    case duplicateTag(String, group: String, command: String, kind: CommandKind)
    case tagParameterMissing(String, command: String, kind: CommandKind, expected: String)
    case tagParameterType(String, command: String, kind: CommandKind, expected: String, found: String)
    case unexpectedTag(String, command: String, kind: CommandKind)
    case argumentCount(command: String, kind: CommandKind, expected: [Int], found: Int)
    case argumentType(command: String, kind: CommandKind, position: Int, name: String, expected: String, found: String)
    // Comparators and match types.
    case unknownComparator(String)
    case comparatorNoSubstring(comparator: String, matchType: String)
    case regexComparator
    case relationalOperator(matchType: String, found: String)
    case invalidRegex(String, reason: String)
    case regexBacktracking(String)
    case regexTooComplex(String, size: Int, limit: Int)
    case regexesTooComplex(limit: Int)
    case regexTooCostly(String, bytes: Int, limit: Int)
    case regexesTooCostly(limit: Int)
    case matchesManyWildcards(String)
    case lastWithoutIndex(command: String)
    // Meaning.
    case sizeNeedsTag
    case invalidAddress(command: String, address: String, reason: AddressProblem)
    case invalidHeaderName(String)
    case invalidHeaderNameError(String)
    case headerNotAddress(String)
    case unknownEnvelopePart(String)
    case addressPartOnNonAddress(String, part: String)
    case invalidMailboxName(String)
    case vacationPeriodZero
    case vacationSecondsTooSmall(UInt64, minimum: UInt64)
    case tooManyRedirects(count: Int, limit: Int)
    case flagVariableNeedsVariables(command: String, kind: CommandKind)
    case invalidFlag(String, command: String)
    case invalidVariableName(String)
    case variableNameTooLong(limit: Int)
    case tooManyVariables(limit: Int)
    case unknownNamespace(String)
    case assignToEnvironment(String)
    case globalAfterLocalUse(String)
    case matchVariableTooLarge(String)
    case invalidUnicodeCharacter(String)
    case includeNotConstant
    case invalidIncludeName(String)
    case includeMissing(String)
    case includeCircular(String)
    case includeTooDeep(limit: Int)
    case tooManyIncludes(limit: Int)
    case globalNeedsVariables
    case invalidImportance(String)
    case invalidNotifyMethod(String, MailtoProblem)
    case mailtoOptionsIgnored
    case unknownDatePart(String)
    case invalidZone(String)
    case ihaveNotConstant
    case mimeTagNeedsMime(String, command: String)
    case foreverypartTooDeep(limit: Int)
    case breakOutsideLoop(name: String?)
    case extracttextOutsideLoop
    case invalidFieldName(command: String, String)
    case protectedHeader(String)
    case invalidHeaderValue(command: String, String)
    case indexZero(command: String)
    case notConstant(command: String, argument: String)
    case deprecatedNotifyMethod
    case invalidNotifyOption(String)
    case mailtoWarning(MailtoWarning)
    case mailtoIgnoredHeader(String)
    case invalidAnnotation(String)
    case invalidSpecialUseFlag(String)
    case invalidProgramName(String)
    case invalidProgramArgument(command: String, String)
    case outputNeedsVariables

    private static func didYouMean(_ s: String?) -> String {
        s.map { " (did you mean '\($0)'?)" } ?? ""
    }

    /// Whole megabytes, rounded up (a cost just over a limit must not print as the limit).
    private static func megabytes(_ bytes: Int) -> Int { (bytes + (1 << 20) - 1) >> 20 }
    /// A pattern quoted in a message about its size: its first 60 characters.
    private static func shortened(_ pattern: String) -> String {
        pattern.count > 60 ? String(pattern.prefix(60)) + "..." : pattern
    }
    private static func count(_ n: Int, _ word: String) -> String { n == 1 ? "1 \(word)" : "\(n) \(word)s" }

    /// The text used by `ExtensionSet(parsing:)`.
    var extensionSetMessage: String {
        if case .unknownCapability(let name, let suggestion) = self {
            return "unknown Sieve extension '\(name)'" + DiagnosticKind.didYouMean(suggestion)
        }
        return message
    }

    /// The rendered text, without location or severity.
    public var message: String {
        switch self {
        case .scriptTooLarge(let limit): return "script is too large (max \(limit) bytes)"
        case .byteOrderMark:
            return "a UTF-8 byte order mark is not allowed at the start of a script; save it without BOM"
        case .nulCharacter: return "encountered NUL character in script"
        case .hashCommentAtEndOfFile: return "no newline (CRLF) at end of hash comment at end of file"
        case .unterminatedComment(let line):
            return "end of file before end of bracket comment ('/* ... */') started at line \(line)"
        case .unexpectedCharacter(let c): return "unexpected character(s) starting with '\(c)'"
        case .identifierTooLong(let s): return "encountered impossibly long identifier '\(s)...'"
        case .numberTooLarge: return "number exceeds integer limits (max \(UInt64.max))"
        case .stringTooLong(let limit): return "string is too long (max \(limit) bytes)"
        case .unterminatedString(let line): return "end of file before end of quoted string started at line \(line)"
        case .unterminatedMultiline(let line):
            return "end of file before end of multi-line string started at line \(line) (a line with only '.' ends it)"
        case .strayCarriageReturn(let line):
            return "found stray carriage-return (CR) character in string started at line \(line) (use CRLF line ends)"
        case .badCharacterAfterText(let c): return "invalid character '\(c)' after 'text:' in multiline string"
        case .unexpectedAtEnd(let found): return "unexpected \(found) found at (the presumed) end of file"
        case .unexpectedToken(let expected, let found): return "expected \(expected.message), but found \(found)"
        case .tooManyCommands(let limit): return "script has too many commands (max \(limit))"
        case .nestingTooDeep(let limit): return "cannot nest command blocks deeper than \(limit) levels"
        case .testNestingTooDeep(let limit): return "cannot nest tests deeper than \(limit) levels"
        case .tooManyArguments(let command, let limit):
            return "too many arguments for command '\(command)' (max \(limit))"
        case .unknownCapability(let name, let suggestion):
            return "require command: unknown Sieve capability '\(name)'" + DiagnosticKind.didYouMean(suggestion)
        case .capabilityNotEnabled(let name):
            return "require command: unknown Sieve capability '\(name)' (the extension is not enabled on this server)"
        case .notEnabled(let name, let kind, let ext):
            return
                "unknown \(kind) '\(name)' (it belongs to the '\(ext)' extension, which is not enabled on this server)"
        case .requireNotAtTop:
            return "require commands can only be placed at top level at the beginning of the file"
        case .deprecatedExtension(let name): return "the '\(name)' extension is deprecated"
        case .conflictingExtensions(let a, let b): return "the '\(a)' extension cannot be used together with '\(b)'"
        case .missingDependency(let ext, let needs):
            return "\(ext) extension cannot be used without \(needs) extension (add \"\(needs)\" to the require list)"
        case .unknownCommand(let name, let kind, let suggestion):
            return "unknown \(kind) '\(name)'" + DiagnosticKind.didYouMean(suggestion)
        case .notRequired(let name, let kind, let ext):
            return "unknown \(kind) '\(name)' (it needs the '\(ext)' extension: add require \"\(ext)\";)"
        case .wrongKind(let name, let usedAs):
            return usedAs == .test
                ? "attempted to use command '\(name)' as test" : "attempted to use test '\(name)' as command"
        case .elseWithoutIf(let name): return "the \(name) command must follow an if or elsif command"
        case .blockRequired(let c): return "the \(c) command requires a command block, but it is missing"
        case .blockNotAllowed(let c):
            return "the \(c) command does not accept a command block, but one is specified anyway"
        case .noTestsAllowed(let c, let kind): return "the \(c) \(kind) accepts no sub-tests, but tests are specified"
        case .testRequired(let c, let kind): return "the \(c) \(kind) requires one sub-test, but none is specified"
        case .singleTestRequired(let c, let kind):
            return "the \(c) \(kind) requires one sub-test, but a list of tests is specified"
        case .testListRequired(let c, let kind):
            return "the \(c) \(kind) requires a list of sub-tests, but a single test is specified"
        case .unreachableAfterStop(let line): return "commands after 'stop' (line \(line)) are never executed"
        case .unknownTag(let tag, let c, let kind, let suggestion):
            return "unknown tagged argument ':\(tag)' for the \(c) \(kind)"
                + DiagnosticKind.didYouMean(suggestion.map { ":" + $0 })
        case .tagNotRequired(let tag, let c, let kind, let ext):
            return
                "unknown tagged argument ':\(tag)' for the \(c) \(kind) (it needs the '\(ext)' extension: add require \"\(ext)\";)"
        case .duplicateTag(let tag, let group, let c, let kind):
            return group != "MATCH-TYPE" && group != "ADDRESS-PART"
                ? "encountered duplicate :\(tag) argument for the \(c) \(kind)"
                : "encountered duplicate \(group) argument (:\(tag)) for the \(c) \(kind)"
        case .tagParameterMissing(let tag, let c, let kind, let expected):
            return "the :\(tag) tag for the \(c) \(kind) requires a \(expected) as parameter, but none was found"
        case .tagParameterType(let tag, let c, let kind, let expected, let found):
            return "the :\(tag) tag for the \(c) \(kind) requires a \(expected) as parameter, but a \(found) was found"
        case .unexpectedTag(let tag, let c, let kind):
            return
                "encountered an unexpected tagged argument ':\(tag)' while validating positional arguments for the \(c) \(kind) (tags go before the other arguments)"
        case .argumentCount(let c, let kind, let expected, let found):
            let e = expected.map(String.init).joined(separator: " or ")
            return "the \(c) \(kind) requires \(e) positional argument(s), but \(found) is/are specified"
        case .argumentType(let c, let kind, let position, let name, let expected, let found):
            let n = name.isEmpty ? "" : " (\(name))"
            return "the \(c) \(kind) expects a \(expected) as argument \(position)\(n), but a \(found) was found"
        case .unknownComparator(let name): return "unknown comparator '\(name)'"
        case .comparatorNoSubstring(let c, let m):
            return
                "the specified \(c) comparator does not support sub-string matching as required by the :\(m) match type"
        case .regexComparator: return "regex match type only supports i;octet and i;ascii-casemap comparators"
        case .relationalOperator(let m, let found):
            return
                "the :\(m) match-type requires a constant string argument being one of \"gt\", \"ge\", \"lt\", \"le\", \"eq\" or \"ne\", but \"\(found)\" was found"
        case .invalidRegex(let p, let reason): return "invalid regular expression '\(p)' for regex match: \(reason)"
        case .regexTooComplex(let p, let size, let limit):
            let shown = Self.shortened(p)
            let count = size >= 1 << 40 ? "too many" : "\(size)"
            return
                "regular expression '\(shown)' is too complex: its repetitions expand to \(count) elements (max \(limit))"
        case .regexesTooComplex(let limit):
            return
                "the script's regular expressions are too complex together (their repetitions expand past \(limit) elements)"
        case .regexTooCostly(let p, let bytes, let limit):
            let shown = Self.shortened(p)
            let amount = bytes >= 1 << 40 ? "more than 1 TB" : "about \(Self.megabytes(bytes)) MB"
            return
                "regular expression '\(shown)' is too expensive to compile: its bounded repetitions would need \(amount) of memory (max \(Self.megabytes(limit)) MB per expression)"
        case .regexesTooCostly(let limit):
            return
                "the script's regular expressions are too expensive to compile together (more than \(Self.megabytes(limit)) MB of regex compiler work)"
        case .regexBacktracking(let p):
            return "regular expression '\(p)' has a nested repetition and can take exponential time to match"
        case .matchesManyWildcards(let p):
            return "pattern '\(p)' has many consecutive '*' wildcards; one '*' matches the same and is much faster"
        case .lastWithoutIndex(let c):
            return "the :last tag for the \(c) command cannot be specified without the :index tag"
        case .sizeNeedsTag: return "the size test requires either the :under or the :over tag to be specified"
        case .invalidAddress(let c, let a, let reason):
            return "specified \(c) address '\(a)' is invalid: \(reason.message)"
        case .invalidHeaderName(let h): return "specified header field name '\(h)' is invalid"
        case .invalidHeaderNameError(let h): return "specified header field name '\(h)' is invalid"
        case .headerNotAddress(let h): return "specified header '\(h)' is not allowed for the address test"
        case .unknownEnvelopePart(let p):
            return
                "specified envelope part '\(p)' is not supported by the envelope test (use \"from\", \"to\" or \"auth\")"
        case .addressPartOnNonAddress(let tag, let part):
            return
                "address part ':\(tag)' specified while non-address envelope part '\(part)' is tested with the envelope test"
        case .invalidMailboxName(let m): return "invalid folder name '\(m)' specified (not valid UTF-8)"
        case .vacationPeriodZero: return "vacation period of 0 disables the response interval (the minimum is used)"
        case .vacationSecondsTooSmall(let n, let minimum):
            return "specified :seconds value '\(n)' is under the minimum (\(minimum)); the minimum is used"
        case .tooManyRedirects(let count, let limit):
            return "script has \(count) redirect commands, more than the \(limit) a message may be redirected to"
        case .flagVariableNeedsVariables(let c, let kind):
            return
                "the \(c) \(kind) only allows for the specification of a variable name when the variables extension is active"
        case .invalidFlag(let f, let c):
            return
                "IMAP flag '\(f)' specified for the \(c) command is invalid and will be ignored (only first invalid is reported)"
        case .invalidVariableName(let n): return "invalid variable name '\(n)'"
        case .variableNameTooLong(let limit): return "variable name is too long (max \(limit) characters)"
        case .tooManyVariables(let limit): return "number of variables exceeds the maximum (max \(limit))"
        case .unknownNamespace(let ns): return "referring to variable in unknown namespace '\(ns)'"
        case .globalAfterLocalUse(let n):
            return
                "declaration of new global variable '\(n)' conflicts with earlier local use (declare it global first)"
        case .assignToEnvironment(let n): return "cannot assign to environment variable '\(n)' (it is read-only)"
        case .matchVariableTooLarge(let n): return "match variable '${\(n)}' does not exist (the highest is ${9})"
        case .invalidUnicodeCharacter(let v):
            return "invalid unicode character 0x\(v) in encoded character substitution"
        case .includeNotConstant: return "the include command requires a constant string for its value argument"
        case .invalidIncludeName(let n): return "include: invalid script name '\(n)'"
        case .includeMissing(let n): return "included script '\(n)' does not exist"
        case .includeCircular(let n): return "circular include of script '\(n)'"
        case .includeTooDeep(let limit): return "includes nest deeper than \(limit) levels"
        case .tooManyIncludes(let limit): return "more than \(limit) scripts are included"
        case .globalNeedsVariables: return "global command requires that variables extension is active"
        case .invalidImportance(let v):
            return "invalid :importance value '\(v)' for the notify command (use \"1\", \"2\" or \"3\")"
        case .invalidNotifyMethod(_, let problem): return "notify command: \(problem.message)"
        case .mailtoOptionsIgnored: return "the mailto notify method has no options; :options is ignored"
        case .unknownDatePart(let p): return "date part '\(p)' is not known"
        case .invalidZone(let z): return "invalid :zone argument '\(z)' (use +hhmm or -hhmm)"
        case .ihaveNotConstant: return "the ihave test requires constant capability names"
        case .mimeTagNeedsMime(let t, let c): return "the :\(t) tag for the \(c) test requires the :mime tag"
        case .foreverypartTooDeep(let limit):
            return "the nested foreverypart loop exceeds the nesting limit (<= \(limit) levels)"
        case .breakOutsideLoop(let name):
            return name.map { "the break command is not placed inside a foreverypart loop named '\($0)'" }
                ?? "the break command is not placed inside a foreverypart loop"
        case .extracttextOutsideLoop: return "the extracttext command is not placed inside a foreverypart loop"
        case .invalidFieldName(let c, let n): return "\(c) command: specified field name '\(n)' is invalid"
        case .protectedHeader(let h):
            return
                "deleteheader command: deleting specified header field '\(h)' is forbidden; modification will be denied"
        case .invalidHeaderValue(let c, let v):
            return "\(c) command: specified value '\(v)' is invalid (contains NUL character)"
        case .indexZero(let c): return "the :index tag for the \(c) cannot be zero (fields are counted from 1)"
        case .notConstant(let c, let a): return "the \(c) command requires a constant string for its \(a) argument"
        case .deprecatedNotifyMethod:
            return
                "the notify command of the deprecated notify extension only supports the 'mailto' notification method"
        case .invalidNotifyOption(let o):
            return "notify command: invalid option name specified in option '\(o)' (use name=value)"
        case .mailtoWarning(let w): return "notify command: mailto URI: \(w.message)"
        case .mailtoIgnoredHeader(let h): return "notify command: mailto URI: header field '\(h)' is ignored"
        case .invalidAnnotation(let a): return "specified annotation name '\(a)' is invalid"
        case .invalidSpecialUseFlag(let f): return "invalid special-use flag '\(f)' (it must start with a backslash)"
        case .invalidProgramName(let n):
            return "invalid program name '\(n)' (1 to 128 characters, no '/' or control characters)"
        case .invalidProgramArgument(let c, let a):
            return "\(c) command: specified external program argument '\(a)' is invalid (no line breaks allowed)"
        case .outputNeedsVariables: return "the :output tag requires the variables extension"
        }
    }
}

/// Why a constant e-mail address is invalid (RFC 5322 mailbox).
public enum AddressProblem: Equatable, Sendable {
    case invalidLocalPart
    case missingLocalPart
    case lonelyLocalPart(String)
    case invalidDomain
    case invalidDisplayName
    case missingAngleBracket
    case trailingCharacters

    public var message: String {
        switch self {
        case .invalidLocalPart: return "invalid local part"
        case .missingLocalPart: return "missing local part"
        case .lonelyLocalPart(let local): return "invalid or lonely local part '\(local)' (expecting '@')"
        case .invalidDomain: return "invalid or missing domain"
        case .invalidDisplayName: return "invalid display name"
        case .missingAngleBracket: return "missing '>' after address"
        case .trailingCharacters: return "invalid characters after address"
        }
    }
}

/// Why a notification method URI is refused (RFC 5435, RFC 5436 mailto).
public enum MailtoProblem: Equatable, Sendable {
    public enum Part: Equatable, Sendable { case recipients, headerName, headerValue }
    case invalidScheme(String)
    case unsupportedMethod(String)
    case invalidCharacter(String, part: Part)
    case invalidPercentEncoding
    case invalidRecipient(String, AddressProblem)
    case emptyRecipient
    case invalidHeaderName(String)
    case invalidHeaderBody

    public var message: String {
        switch self {
        case .invalidScheme(let uri): return "invalid scheme part for method URI '\(uri)'"
        case .unsupportedMethod(let scheme):
            return "invalid method: notification method '\(scheme)' is not supported (use mailto)"
        case .invalidCharacter(let c, let part):
            let where_: String
            switch part {
            case .recipients: where_ = "'to' part"
            case .headerName: where_ = "header field name part"
            case .headerValue: where_ = "header field value part"
            }
            return "mailto URI: invalid character '\(c)' in \(where_)"
        case .invalidPercentEncoding: return "mailto URI: invalid % encoding"
        case .invalidRecipient(let r, let problem): return "mailto URI: invalid recipient '\(r)': \(problem.message)"
        case .emptyRecipient: return "mailto URI: invalid recipient '': empty address"
        case .invalidHeaderName(let n): return "mailto URI: invalid header field name '\(n)'"
        case .invalidHeaderBody: return "mailto URI: invalid header field body"
        }
    }
}

/// What a mailto URI does that is ignored.
public enum MailtoWarning: Equatable, Sendable {
    case reservedHeader(String)
    case duplicateSubject
    case noRecipients

    public var message: String {
        switch self {
        case .reservedHeader(let h): return "ignored reserved header field '\(h)'"
        case .duplicateSubject: return "ignored duplicate subject field"
        case .noRecipients: return "notification URI specifies no recipients"
        }
    }
}

/// What the parser expected where it found something else.
public enum ExpectedToken: Equatable, Sendable {
    case command, blockEnd, commandEnd, testAfterParen, testAfterComma, commaOrParen, stringAfterBracket
    case stringAfterComma, commaOrBracket

    public var message: String {
        switch self {
        case .command: return "command"
        case .blockEnd: return "end of compound block '}'"
        case .commandEnd: return "end of command ';' or the beginning of a compound block '{'"
        case .testAfterParen: return "test identifier after '(' in test list"
        case .testAfterComma: return "test identifier after ',' in test list"
        case .commaOrParen: return "',' or ')' in test list"
        case .stringAfterBracket: return "string after '[' in string list"
        case .stringAfterComma: return "string after ',' in string list"
        case .commaOrBracket: return "',' or ']' in string list"
        }
    }
}

extension DiagnosticKind {
    /// How a token is named in messages.
    static func describe(_ kind: Token.Kind, names: NameTable) -> String {
        switch kind {
        case .identifier(let n): return "identifier '\(names.name(n))'"
        case .tag(let n): return "tag ':\(names.name(n))'"
        case .number(let n): return "number \(n)"
        case .string: return "string"
        case .leftBracket: return "'['"
        case .rightBracket: return "']'"
        case .leftParen: return "'('"
        case .rightParen: return "')'"
        case .leftBrace: return "'{'"
        case .rightBrace: return "'}'"
        case .comma: return "','"
        case .semicolon: return "';'"
        case .endOfFile: return "end of file"
        case .invalid: return "invalid characters"
        }
    }
}
