// RFC 5229 (variables)
struct Variables: SieveExtension {
    let name = "variables"
    var setModifiers: [(name: String, precedence: Int)] {
        [("lower", 40), ("upper", 40), ("lowerfirst", 30), ("upperfirst", 30), ("quotewildcard", 20), ("length", 10)]
    }
    /// Modifier tags for `set` (and `extracttext`), grouped by precedence: two of one precedence conflict.
    static func modifierTags(_ list: [(name: String, precedence: Int)], target: Set<String> = []) -> [TagDefinition] {
        list.map { TagDefinition($0.name, group: .named("modifier\($0.precedence)"), target: .commands(target)) }
    }

    var commands: [CommandDefinition] {
        [
            // set [MODIFIER] <name: string> <value: string>
            .command(
                "set", [.string, .string], names: ["name", "value"],
                tags: Variables.modifierTags(setModifiers),
                check: { use, v in
                    guard use.isString(positional: 0) else { return }
                    v.checkAssignable(use.literal(ofPositional: 0))
                }),
            // string [MATCH-TYPE] [COMPARATOR] <source: string-list> <key-list: string-list>
            .test("string", [.stringList, .stringList], names: ["source", "key list"], features: CommonTags.matching),
        ]
    }
}
