// RFC 5703 §7 (extracttext)
struct Extracttext: SieveExtension {
    let name = "extracttext"
    var dependencies: [String] { ["foreverypart", "variables"] }
    var commands: [CommandDefinition] {
        // extracttext [MODIFIER] [":first" number] <varname: string>
        [
            .command(
                "extracttext", [.string], names: ["varname"],
                tags: [TagDefinition("first", parameter: .number)]
                    + Variables.modifierTags([
                        ("lower", 40), ("upper", 40), ("lowerfirst", 30), ("upperfirst", 30),
                        ("quotewildcard", 20), ("length", 10),
                    ]),
                check: { use, v in
                    if !v.enclosingCommands.contains(where: { $0.name == "foreverypart" }) {
                        v.error(.extracttextOutsideLoop, at: use.node)
                    }
                    guard case .string(let s) = use.positional[0].value else { return }
                    v.checkAssignable(s)
                })
        ]
    }
}
