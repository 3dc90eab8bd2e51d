// vnd.dovecot.imapsieve (Pigeonhole): Dovecot's IMAPSIEVE environment items.
struct VndDovecotImapsieve: SieveExtension {
    let name = "vnd.dovecot.imapsieve"
}
