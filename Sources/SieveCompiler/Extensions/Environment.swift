// RFC 5183 (environment)
struct Environment: SieveExtension {
    let name = "environment"
    var commands: [CommandDefinition] {
        [.test("environment", [.string, .stringList], names: ["name", "key list"], features: CommonTags.matching)]
    }
}
