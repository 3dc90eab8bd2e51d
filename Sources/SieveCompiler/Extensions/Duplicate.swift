// RFC 7352 (duplicate)
struct Duplicate: SieveExtension {
    let name = "duplicate"
    var conflicts: [String] { ["vnd.dovecot.duplicate"] }
    var commands: [CommandDefinition] {
        // duplicate [":handle" <handle: string>] [":header" <header-name: string> / ":uniqueid" <value: string>]
        //           [":seconds" <timeout: number>] [":last"]
        [Duplicate.test(valueTag: "uniqueid")]
    }

    /// The `duplicate` test of this extension and of its predecessor `vnd.dovecot.duplicate`, which differ only
    /// in the name of the tag that gives the value (Pigeonhole checks both the same way).
    static func test(valueTag: String) -> CommandDefinition {
        .test(
            "duplicate", [],
            tags: [
                TagDefinition("handle", parameter: .string),
                TagDefinition("header", parameter: .string, group: .named("value")),
                TagDefinition(valueTag, parameter: .string, group: .named("value")),
                TagDefinition("seconds", parameter: .number),
                TagDefinition("last"),
            ],
            check: { use, v in
                if let p = use.tag("header")?.parameter, case .string(let s) = p.value, v.isConstant(s),
                    !Checks.isValidHeaderName(s)
                {
                    v.warning(.invalidHeaderName(s.text), at: s)
                }
            })
    }
}
