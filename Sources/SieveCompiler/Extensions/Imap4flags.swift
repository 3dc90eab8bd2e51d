// RFC 5232 (imap4flags)
struct Imap4flags: SieveExtension {
    let name = "imap4flags"
    var conflicts: [String] { ["imapflags"] }

    static func flagCommand(_ name: String) -> CommandDefinition {
        // setflag [<variablename: string>] <list-of-flags: string-list>
        .command(
            name, [.stringList], names: ["flag list"],
            alternatives: (2...32).map { [.string, .stringList] + Array(repeating: .any, count: $0 - 2) },
            check: { use, v in
                Imap4flags.checkVariableForm(use, v)
                Imap4flags.warnFlags(use.strings(ofPositional: use.positionalCount == 1 ? 0 : 1), command: name, v)
            })
    }

    static func checkVariableForm(_ use: CommandUse, _ v: Validator) {
        guard use.positionalCount >= 2 else { return }
        let kind: DiagnosticKind.CommandKind = use.definition.kind == .command ? .command : .test
        if !v.requires("variables") {
            v.error(.flagVariableNeedsVariables(command: use.definition.name, kind: kind), at: use.node)
            return
        }
        for s in use.positional[0].strings ?? [] {
            // hasflag only reads its variables: a match variable ("1") is fine there.
            if kind == .test, !s.written.isEmpty, s.written.allSatisfy(Lexer.isDigit) { continue }
            if !v.checkAssignable(s) { return }
        }
    }

    /// Checks the flags of a string or string list argument (one warning per command).
    static func warnFlags(_ strings: StringList, command: String, _ v: Validator) {
        for s in strings where !warnFlags(s, command: command, v) { return }
    }

    static func warnFlags(_ arg: Argument, command: String, _ v: Validator) {
        switch arg.value {
        case .string(let s): if !warnFlags(s, command: command, v) { return }
        case .stringList(let list):
            for s in list where !warnFlags(s, command: command, v) { return }
        case .number, .tag: return
        }
    }

    /// Checks the flags of one string; false after a warning (one per command).
    private static func warnFlags(_ s: StringLiteral, command: String, _ v: Validator) -> Bool {
        guard v.isConstant(s) else { return true }
        // Fast path for ASCII (no grapheme can join a space there): split and check the bytes in place.
        let ascii = s.withBytes { bytes -> (isASCII: Bool, invalid: String?) in
            guard bytes.allSatisfy({ $0 < 0x80 }) else { return (false, nil) }
            var start = 0
            while start < bytes.count {
                var end = start
                while end < bytes.count, bytes[end] != 0x20 { end += 1 }
                let flag = UnsafeBufferPointer(rebasing: bytes[start..<end])
                if end > start, !Checks.isValidASCIIFlag(flag) {
                    return (true, String(decoding: flag, as: UTF8.self))
                }
                start = end + 1
            }
            return (true, nil)
        }
        if ascii.isASCII {
            if let invalid = ascii.invalid {
                v.warning(.invalidFlag(invalid, command: command), at: s)
                return false
            }
            return true
        }
        for flag in s.text.split(separator: " ") where !Checks.isValidFlag(String(flag)) {
            v.warning(.invalidFlag(String(flag), command: command), at: s)
            return false
        }
        return true
    }

    var commands: [CommandDefinition] {
        [
            Imap4flags.flagCommand("setflag"), Imap4flags.flagCommand("addflag"), Imap4flags.flagCommand("removeflag"),
            // hasflag [MATCH-TYPE] [COMPARATOR] [<variable-list: string-list>] <list-of-flags: string-list>
            .test(
                "hasflag", [.stringList], names: ["flag list"], alternatives: [[.stringList, .stringList]],
                features: CommonTags.matching, check: { use, v in Imap4flags.checkVariableForm(use, v) }),
        ]
    }
    var tags: [TagDefinition] {
        [TagDefinition("flags", parameter: .stringList, target: .commands(["fileinto", "keep"]))]
    }
}
