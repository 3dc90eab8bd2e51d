// vnd.dovecot.filter (Pigeonhole sieve_extprograms)
struct VndDovecotFilter: SieveExtension {
    let name = "vnd.dovecot.filter"
    var commands: [CommandDefinition] {
        // filter <program-name: string> [<arguments: string-list>]
        let check: CommandCheck = { use, v in
            ExtPrograms.checkName(use.positional[0], v)
            ExtPrograms.checkArguments(use, v)
        }
        return [
            .command(
                "filter", [.string], names: ["program name", "arguments"], alternatives: [[.string, .stringList]],
                check: check),
            .test(
                "filter", [.string], names: ["program name", "arguments"], alternatives: [[.string, .stringList]],
                check: check),
        ]
    }
}
