// RFC 5463 (ihave); the block rule (an unknown capability's block is not validated) is in Validator.
struct Ihave: SieveExtension {
    let name = "ihave"
    var commands: [CommandDefinition] {
        [
            .test("ihave", [.stringList], names: ["capabilities"]),
            .command("error", [.string], names: ["message"]),
        ]
    }
}
