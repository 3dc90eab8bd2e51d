// RFC 6609 (include)
struct Include: SieveExtension {
    let name = "include"
    var namespaces: [String] { ["global"] }
    var commands: [CommandDefinition] {
        [
            // include [LOCATION] [":once"] [":optional"] <value: string>
            .command(
                "include", [.string], names: ["value"],
                tags: [
                    TagDefinition("personal", group: .named("location")),
                    TagDefinition("global", group: .named("location")),
                    TagDefinition("once", repeatable: true),
                    TagDefinition("optional", repeatable: true),
                ],
                check: { use, v in
                    guard case .string(let s) = use.positional[0].value else { return }
                    guard v.isConstant(s) else {
                        v.error(.includeNotConstant, at: s)
                        return
                    }
                    let name = s.text
                    if name.isEmpty || name.utf8.contains(0x2F) || name.utf8.count > 256 || !Checks.isValidUTF8(s)
                        || name.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F })
                    {
                        v.error(.invalidIncludeName(name), at: s)
                        return
                    }
                    if name == ".." {
                        v.error(.invalidIncludeName(name), at: s)
                        return
                    }
                    v.addInclude(
                        IncludeReference(
                            name: name, isGlobal: use.has("global"), line: s.line, once: use.has("once"),
                            optional: use.has("optional")))
                }),
            .command("return"),
            // global <value: string-list>
            .command(
                "global", [.stringList], names: ["value"],
                check: { use, v in
                    if !v.requires("variables") {
                        v.error(.globalNeedsVariables, at: use.node)
                        return
                    }
                    for s in use.positional[0].strings ?? [] {
                        if !VariableSyntax.isValidVariableName(s.written, allowNamespace: false) {
                            v.error(.invalidVariableName(String(decoding: s.written, as: UTF8.self)), at: s)
                        } else {
                            v.declareGlobal(s)
                        }
                    }
                }),
        ]
    }
}
