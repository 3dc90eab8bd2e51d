// RFC 5173 (body)
struct Body: SieveExtension {
    let name = "body"
    var commands: [CommandDefinition] {
        // body [COMPARATOR] [MATCH-TYPE] [BODY-TRANSFORM] <key-list: string-list>
        [
            .test(
                "body", [.stringList], names: ["key list"],
                tags: [
                    TagDefinition("raw", group: .named("transform")),
                    TagDefinition("content", parameter: .stringList, group: .named("transform")),
                    TagDefinition("text", group: .named("transform")),
                ], features: CommonTags.matching)
        ]
    }
}
