// vnd.dovecot.environment (Pigeonhole): more environment items and the `env` variable namespace.
struct VndDovecotEnvironment: SieveExtension {
    let name = "vnd.dovecot.environment"
    var implies: [String] { ["environment"] }
    var namespaces: [String] { ["env"] }
}
