// RFC 5293 (editheader)
struct Editheader: SieveExtension {
    let name = "editheader"
    /// Headers whose deletion Pigeonhole forbids.
    static let protected: Set<String> = ["received", "auto-submitted"]
    var commands: [CommandDefinition] {
        [
            // addheader [":last"] <field-name: string> <value: string>
            .command(
                "addheader", [.string, .string], names: ["field name", "value"], tags: [TagDefinition("last")],
                check: { use, v in
                    if case .string(let value) = use.positional[1].value, value.bytes.contains(0) {
                        v.error(.invalidHeaderValue(command: "addheader", value.text), at: value)
                    }
                    guard case .string(let s) = use.positional[0].value, v.isConstant(s), !s.bytes.isEmpty else {
                        return
                    }
                    if !Checks.isValidHeaderName(s) {
                        v.error(.invalidFieldName(command: "addheader", s.text), at: s)
                    }
                }),
            // deleteheader [":index" <fieldno: number> [":last"]] [COMPARATOR] [MATCH-TYPE]
            //              <field-name: string> [<value-patterns: string-list>]
            .command(
                "deleteheader", [.stringList], names: ["field name", "value patterns"],
                alternatives: [[.stringList, .stringList]],
                tags: [TagDefinition("index", parameter: .number), TagDefinition("last")],
                features: CommonTags.matching,
                check: { use, v in
                    if use.has("last") && !use.has("index") {
                        // Pigeonhole prints this as an error but still accepts the script.
                        v.warning(.lastWithoutIndex(command: "deleteheader"), at: use.tag("last")!.argument)
                    }
                    // Like addheader, Pigeonhole lets an empty name pass.
                    for s in use.positional[0].strings ?? [] where v.isConstant(s) && !s.bytes.isEmpty {
                        if !Checks.isValidHeaderName(s) {
                            v.error(.invalidFieldName(command: "deleteheader", s.text), at: s)
                        } else if Editheader.protected.contains(s.text.lowercased()) {
                            v.warning(.protectedHeader(s.text), at: s)
                        }
                    }
                }),
        ]
    }
}
