// vnd.dovecot.duplicate (Dovecot's predecessor of RFC 7352)
struct VndDovecotDuplicate: SieveExtension {
    let name = "vnd.dovecot.duplicate"
    var conflicts: [String] { ["duplicate"] }
    var commands: [CommandDefinition] {
        // duplicate [":handle" string] [":header" string / ":value" string] [":seconds" number]
        [
            .test(
                "duplicate", [],
                tags: [
                    TagDefinition("handle", parameter: .string),
                    TagDefinition("header", parameter: .string, group: .named("value")),
                    TagDefinition("value", parameter: .string, group: .named("value")),
                    TagDefinition("seconds", parameter: .number),
                    TagDefinition("last"),
                ])
        ]
    }
}
