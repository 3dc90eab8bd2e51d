// vnd.dovecot.pipe (Pigeonhole sieve_extprograms)
struct VndDovecotPipe: SieveExtension {
    let name = "vnd.dovecot.pipe"
    var commands: [CommandDefinition] {
        // pipe [":copy"] [":try"] <program-name: string> [<arguments: string-list>]
        [.command("pipe", [.string], names: ["program name", "arguments"], alternatives: [[.string, .stringList]],
                  tags: [TagDefinition("try")], check: { use, v in ExtPrograms.checkName(use.positional[0], v) })]
    }
}

enum ExtPrograms {
    /// Program names may not contain "/" and must not be empty.
    static func checkName(_ arg: Argument, _ v: Validator) {
        guard case .string(let s) = arg.value else { return }
        guard v.isConstant(s) else {
            v.error(.notConstant(command: v.currentCommand, argument: "program-name"), at: s)
            return
        }
        if s.bytes.isEmpty || s.bytes.contains(0x2F) || s.bytes.contains(where: { $0 < 0x20 }) {
            v.error(.invalidProgramName(s.text), at: s)
        }
    }
}
