// RFC 5429 (reject)
struct Reject: SieveExtension {
    let name = "reject"
    var commands: [CommandDefinition] { [.command("reject", [.string], names: ["reason"])] }
}
