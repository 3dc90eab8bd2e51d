// RFC 5228 (Sieve: An Email Filtering Language): the commands and tests every script has.

enum CoreLanguage {
    static let require = CommandDefinition.command("require", [.stringList], names: ["capabilities"])

    static let commands: [CommandDefinition] = [
        require,
        .command("if", block: .required, subtests: .one),
        .command("elsif", block: .required, subtests: .one),
        .command("else", block: .required),
        .command("stop"),
        .command("keep"),
        .command("discard"),
        .command(
            "redirect", [.string], names: ["address"],
            check: { use, v in
                v.noteRedirect(use.node)
                guard case .string(let s) = use.positional[0].value, v.isConstant(s) else { return }
                if let problem = Checks.addressProblem(s.bytes) {
                    v.error(.invalidAddress(command: "redirect", address: s.text, reason: problem), at: s)
                }
            }),
        // address [COMPARATOR] [ADDRESS-PART] [MATCH-TYPE] <header-list: string-list> <key-list: string-list>
        .test(
            "address", [.stringList, .stringList], names: ["header list", "key list"],
            features: [.comparator, .matchType, .addressPart, .headerIndex, .mimeHeader],
            check: { use, v in
                for h in use.strings(ofPositional: 0) where v.isConstant(h) {
                    if !Checks.isValidHeaderName(h) {
                        v.warning(.invalidHeaderName(h.text), at: h)
                    }
                    if !h.withBytes(Checks.isAddressHeader) {
                        v.error(.headerNotAddress(h.text), at: h)
                    }
                }
            }),
        .test("allof", subtests: .list),
        .test("anyof", subtests: .list),
        .test("not", subtests: .one),
        .test(
            "exists", [.stringList], names: ["header names"], features: [.mimeHeader],
            check: { use, v in
                Checks.warnHeaderNames(use.strings(ofPositional: 0), v)
            }),
        .test("false"),
        .test("true"),
        // header [COMPARATOR] [MATCH-TYPE] <header-names: string-list> <key-list: string-list>
        .test(
            "header", [.stringList, .stringList], names: ["header names", "key list"],
            features: [.comparator, .matchType, .headerIndex, .mimeHeader],
            check: { use, v in
                Checks.warnHeaderNames(use.strings(ofPositional: 0), v)
            }),
        // size <":over" / ":under"> <limit: number>
        .test(
            "size", [.number], names: ["limit"],
            tags: [TagDefinition("over", group: .named("size")), TagDefinition("under", group: .named("size"))],
            check: { use, v in
                if !use.has("over") && !use.has("under") { v.error(.sizeNeedsTag, at: use.node) }
            }),
    ]
}

extension Checks {
    static func warnHeaderNames(_ arg: Argument, _ v: Validator) { warnHeaderNames(arg.strings ?? [], v) }

    static func warnHeaderNames(_ strings: StringList, _ v: Validator) {
        for h in strings where v.isConstant(h) && !isValidHeaderName(h) {
            v.warning(.invalidHeaderName(h.text), at: h)
        }
    }
}
