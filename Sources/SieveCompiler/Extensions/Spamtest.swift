// RFC 5235 (spamtest)
struct Spamtest: SieveExtension {
    let name = "spamtest"
    var commands: [CommandDefinition] {
        [.test("spamtest", [.string], names: ["value"], features: CommonTags.matching)]
    }
}
