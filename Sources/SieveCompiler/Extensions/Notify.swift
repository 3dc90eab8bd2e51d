// draft-martin-sieve-notify-01 (notify, deprecated by RFC 5435)
struct Notify: SieveExtension {
    let name = "notify"
    var conflicts: [String] { ["enotify"] }
    var isDeprecated: Bool { true }
    var commands: [CommandDefinition] {
        let priority = ["low", "normal", "high"].map { TagDefinition($0, group: .named("priority")) }
        return [
            .command(
                "notify", [],
                tags: [
                    TagDefinition("method", parameter: .string),
                    TagDefinition("id", parameter: .string),
                    TagDefinition("options", parameter: .stringList),
                    TagDefinition("message", parameter: .string),
                ] + priority,
                check: { use, v in
                    if let p = use.tag("method")?.parameter, case .string(let s) = p.value, v.isConstant(s),
                        s.text.lowercased() != "mailto"
                    {
                        v.error(.deprecatedNotifyMethod, at: s)
                        return
                    }
                    for s in use.tag("options")?.parameter?.strings ?? [] where v.isConstant(s) {
                        if let problem = Checks.addressProblem(s.bytes) {
                            v.error(.invalidAddress(command: ":options", address: s.text, reason: problem), at: s)
                            return
                        }
                    }
                }),
            .command(
                "denotify", [],
                tags: [
                    TagDefinition("is", parameter: .string, group: .matchType),
                    TagDefinition("contains", parameter: .string, group: .matchType),
                    TagDefinition("matches", parameter: .string, group: .matchType),
                ] + priority),
        ]
    }
}
