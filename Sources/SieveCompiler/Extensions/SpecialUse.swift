// RFC 8579 (special-use)
struct SpecialUse: SieveExtension {
    let name = "special-use"
    static func checkFlag(_ s: StringLiteral, _ v: Validator, strict: Bool) {
        guard v.isConstant(s) else { return }
        let b = s.bytes
        // use-attr = "\" atom; like Pigeonhole, the atom may be empty. ATOM-CHAR (RFC 3501) excludes
        // atom-specials: ( ) { SP CTL % * " \ ]
        let atomChar: (UInt8) -> Bool = { c in
            c > 0x20 && c < 0x7F && !"(){%*\"\\]".utf8.contains(c)
        }
        if b.first != 0x5C || !b.dropFirst().allSatisfy(atomChar) {
            // In specialuse_exists Pigeonhole prints an error yet accepts the script; on :specialuse it is an error.
            if strict {
                v.error(.invalidSpecialUseFlag(s.text), at: s)
            } else {
                v.warning(.invalidSpecialUseFlag(s.text), at: s)
            }
        }
    }
    var commands: [CommandDefinition] {
        // specialuse_exists [<mailbox: string>] <special-use-flags: string-list>
        // Pigeonhole does not limit the argument count (it checks every argument after the mailbox as flags).
        [
            .test(
                "specialuse_exists", [.stringList], names: ["special-use flags"],
                alternatives: [[.string, .stringList]]
                    + (3...8).map { [.string] + Array(repeating: .stringList, count: $0 - 1) },
                check: { use, v in
                    if use.positional.count >= 2 { Metadata.checkMailbox(use.positional[0], v) }
                    for arg in use.positional.dropFirst(use.positional.count >= 2 ? 1 : 0) {
                        for s in arg.strings ?? [] { SpecialUse.checkFlag(s, v, strict: false) }
                    }
                })
        ]
    }
    var tags: [TagDefinition] { [TagDefinition("specialuse", parameter: .string, target: .commands(["fileinto"]))] }
}
