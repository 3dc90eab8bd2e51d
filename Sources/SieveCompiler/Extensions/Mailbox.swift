// RFC 5490 §3 (mailbox)
struct Mailbox: SieveExtension {
    let name = "mailbox"
    var commands: [CommandDefinition] {
        [
            .test(
                "mailboxexists", [.stringList], names: ["mailbox names"],
                check: { use, v in
                    for s in use.positional[0].strings ?? [] where v.isConstant(s) && !Checks.isValidUTF8(s) {
                        v.warning(.invalidMailboxName(s.text), at: s)
                    }
                })
        ]
    }
    var tags: [TagDefinition] { [TagDefinition("create", target: .commands(["fileinto"]))] }
}
