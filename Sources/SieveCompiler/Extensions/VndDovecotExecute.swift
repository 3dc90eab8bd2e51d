// vnd.dovecot.execute (Pigeonhole sieve_extprograms)
struct VndDovecotExecute: SieveExtension {
    let name = "vnd.dovecot.execute"
    var commands: [CommandDefinition] {
        // execute [":input" <input-data: string> / ":pipe"] [":output" <varname: string>]
        //         <program-name: string> [<arguments: string-list>]
        let tags = [
            TagDefinition("input", parameter: .string, group: .named("input")),
            TagDefinition("pipe", group: .named("input")),
            TagDefinition("output", parameter: .string),
        ]
        let check: CommandCheck = { use, v in
            ExtPrograms.checkName(use.positional[0], v)
            ExtPrograms.checkArguments(use, v)
            if let p = use.tag("output")?.parameter, case .string(let s) = p.value {
                if !v.requires("variables") {
                    v.error(.outputNeedsVariables, at: p)
                } else {
                    v.checkAssignable(s)
                }
            }
        }
        return [
            .command(
                "execute", [.string], names: ["program name", "arguments"], alternatives: [[.string, .stringList]],
                tags: tags, check: check),
            .test(
                "execute", [.string], names: ["program name", "arguments"], alternatives: [[.string, .stringList]],
                tags: tags, check: check),
        ]
    }
}
