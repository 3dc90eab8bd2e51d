// RFC 5235 (virustest)
struct Virustest: SieveExtension {
    let name = "virustest"
    var commands: [CommandDefinition] {
        [.test("virustest", [.string], names: ["value"], features: CommonTags.matching)]
    }
}
