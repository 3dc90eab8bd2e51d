// RFC 5429 (ereject)
struct Ereject: SieveExtension {
    let name = "ereject"
    var commands: [CommandDefinition] { [.command("ereject", [.string], names: ["reason"])] }
}
