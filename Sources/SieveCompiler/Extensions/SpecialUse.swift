// RFC 8579 (special-use)
struct SpecialUse: SieveExtension {
    let name = "special-use"
    static func checkFlag(_ s: StringLiteral, _ v: Validator) {
        guard v.isConstant(s) else { return }
        let b = s.bytes
        // use-attr = "\" atom
        if b.first != 0x5C || b.count < 2 || !b.dropFirst().allSatisfy(AddressScanner.isAtext) {
            // Pigeonhole prints an error yet accepts the script.
            v.warning(.invalidSpecialUseFlag(s.text), at: s)
        }
    }
    var commands: [CommandDefinition] {
        // specialuse_exists [<mailbox: string>] <special-use-flags: string-list>
        [.test("specialuse_exists", [.stringList], names: ["special-use flags"], alternatives: [[.string, .stringList]],
               check: { use, v in
            if use.positional.count == 2 { Metadata.checkMailbox(use.positional[0], v) }
            for s in use.positional.last?.strings ?? [] { SpecialUse.checkFlag(s, v) }
        })]
    }
    var tags: [TagDefinition] { [TagDefinition("specialuse", parameter: .string, target: .commands(["fileinto"]))] }
}
