// RFC 5490 §4 (servermetadata)
struct Servermetadata: SieveExtension {
    let name = "servermetadata"
    var commands: [CommandDefinition] {
        [
            .test(
                "servermetadata", [.string, .stringList], names: ["annotation name", "key list"],
                features: CommonTags.matching, check: { use, v in Metadata.checkAnnotations(use.positional[0], v) }),
            .test(
                "servermetadataexists", [.stringList], names: ["annotation names"],
                check: { use, v in
                    Metadata.checkAnnotations(use.positional[0], v)
                }),
        ]
    }
}
