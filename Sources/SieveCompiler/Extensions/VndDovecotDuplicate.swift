// vnd.dovecot.duplicate (Dovecot's predecessor of RFC 7352)
struct VndDovecotDuplicate: SieveExtension {
    let name = "vnd.dovecot.duplicate"
    var conflicts: [String] { ["duplicate"] }
    var commands: [CommandDefinition] {
        // duplicate [":handle" string] [":header" string / ":value" string] [":seconds" number] [":last"]
        [Duplicate.test(valueTag: "value")]
    }
}
