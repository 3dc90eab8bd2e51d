// RFC 7352 (duplicate)
struct Duplicate: SieveExtension {
    let name = "duplicate"
    var conflicts: [String] { ["vnd.dovecot.duplicate"] }
    var commands: [CommandDefinition] {
        // duplicate [":handle" <handle: string>] [":header" <header-name: string> / ":uniqueid" <value: string>]
        //           [":seconds" <timeout: number>] [":last"]
        [
            .test(
                "duplicate", [],
                tags: [
                    TagDefinition("handle", parameter: .string),
                    TagDefinition("header", parameter: .string, group: .named("value")),
                    TagDefinition("uniqueid", parameter: .string, group: .named("value")),
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
        ]
    }
}
