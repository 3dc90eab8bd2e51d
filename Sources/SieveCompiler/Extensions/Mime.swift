// RFC 5703 §4 (mime): `:mime`/`:anychild` and the content options on header, address and exists.
struct Mime: SieveExtension {
    let name = "mime"
    var tags: [TagDefinition] {
        [
            TagDefinition("mime", target: .feature(.mimeHeader)),
            TagDefinition("anychild", target: .feature(.mimeHeader), repeatable: true),
            TagDefinition("type", group: .named("mime-option"), target: .commands(["header"])),
            TagDefinition("subtype", group: .named("mime-option"), target: .commands(["header"])),
            TagDefinition("contenttype", group: .named("mime-option"), target: .commands(["header"])),
            TagDefinition("param", parameter: .stringList, group: .named("mime-option"), target: .commands(["header"])),
        ]
    }

    /// Options need `:mime`.
    static func check(_ use: CommandUse, _ v: Validator) {
        guard !use.has("mime") else { return }
        for t in use.tags where ["anychild", "type", "subtype", "contenttype", "param"].contains(t.definition.name) {
            v.error(.mimeTagNeedsMime(t.definition.name, command: use.definition.name), at: t.argument)
            return
        }
    }
}
