// draft-melnikov-sieve-imapflags-03 (imapflags, deprecated by RFC 5232)
struct Imapflags: SieveExtension {
    let name = "imapflags"
    var conflicts: [String] { ["imap4flags"] }
    var isDeprecated: Bool { true }
    var commands: [CommandDefinition] {
        [
            .command("setflag", [.stringList], names: ["flag list"]),
            .command("addflag", [.stringList], names: ["flag list"]),
            .command("removeflag", [.stringList], names: ["flag list"]),
            .command("mark"),
            .command("unmark"),
        ]
    }
    var tags: [TagDefinition] {
        [TagDefinition("flags", parameter: .stringList, target: .commands(["fileinto", "keep"]))]
    }
}
