// vnd.dovecot.debug (Pigeonhole): debug_log
struct VndDovecotDebug: SieveExtension {
    let name = "vnd.dovecot.debug"
    var commands: [CommandDefinition] { [.command("debug_log", [.string], names: ["message"])] }
}
