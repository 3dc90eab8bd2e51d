// RFC 5260 §6 (index)
struct IndexExtension: SieveExtension {
    let name = "index"
    var tags: [TagDefinition] {
        [
            TagDefinition("index", parameter: .number, target: .feature(.headerIndex)),
            TagDefinition("last", target: .feature(.headerIndex)),
        ]
    }
}
