// vnd.dovecot.report (Pigeonhole; RFC 5965 reports)
struct VndDovecotReport: SieveExtension {
    let name = "vnd.dovecot.report"
    var commands: [CommandDefinition] {
        // report [":headers_only"] <feedback-type: string> <message: string> <address: string>
        [
            .command(
                "report", [.string, .string, .string], names: ["feedback type", "message", "address"],
                tags: [TagDefinition("headers_only")],
                check: { use, v in
                    guard case .string(let s) = use.positional[2].value, v.isConstant(s) else { return }
                    if let problem = Checks.addressProblem(s.bytes) {
                        v.error(.invalidAddress(command: "report", address: s.text, reason: problem), at: s)
                    }
                })
        ]
    }
}
