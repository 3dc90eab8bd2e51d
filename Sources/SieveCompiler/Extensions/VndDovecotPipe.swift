// vnd.dovecot.pipe (Pigeonhole sieve_extprograms)
struct VndDovecotPipe: SieveExtension {
    let name = "vnd.dovecot.pipe"
    var commands: [CommandDefinition] {
        // pipe [":copy"] [":try"] <program-name: string> [<arguments: string-list>]
        [
            .command(
                "pipe", [.string], names: ["program name", "arguments"], alternatives: [[.string, .stringList]],
                tags: [TagDefinition("try")],
                check: { use, v in
                    ExtPrograms.checkName(use.positional[0], v)
                    ExtPrograms.checkArguments(use, v)
                })
        ]
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
        let bytes = s.bytes
        if bytes.isEmpty || bytes.count > 128 || bytes.contains(0x2F)
            || bytes.contains(where: { $0 < 0x20 || $0 == 0x7F })
        {
            v.error(.invalidProgramName(s.text), at: s)
        }
    }

    /// Arguments may not contain line breaks or NUL.
    static func checkArguments(_ use: CommandUse, _ v: Validator) {
        guard use.positional.count > 1 else { return }
        for s in use.positional[1].strings ?? [] where v.isConstant(s) {
            if s.bytes.contains(where: { $0 == 0x0A || $0 == 0x0D || $0 == 0 }) {
                v.error(.invalidProgramArgument(command: use.definition.name, s.text), at: s)
                return
            }
        }
    }
}
