// RFC 5490 §3 (mboxmetadata)
struct Mboxmetadata: SieveExtension {
    let name = "mboxmetadata"
    var commands: [CommandDefinition] {
        [
            // metadata [MATCH-TYPE] [COMPARATOR] <mailbox: string> <annotation-name: string> <key-list: string-list>
            .test(
                "metadata", [.string, .string, .stringList], names: ["mailbox", "annotation name", "key list"],
                features: CommonTags.matching,
                check: { use, v in
                    Metadata.checkMailbox(use.positional[0], v)
                    Metadata.checkAnnotations(use.positional[1], v)
                }),
            // metadataexists <mailbox: string> <annotation-names: string-list>
            .test(
                "metadataexists", [.string, .stringList], names: ["mailbox", "annotation names"],
                check: { use, v in
                    Metadata.checkMailbox(use.positional[0], v)
                    Metadata.checkAnnotations(use.positional[1], v)
                }),
        ]
    }
}

enum Metadata {
    static func checkMailbox(_ arg: Argument, _ v: Validator) {
        guard case .string(let s) = arg.value, v.isConstant(s), !Checks.isValidUTF8(s) else { return }
        v.warning(.invalidMailboxName(s.text), at: s)
    }

    /// RFC 5464 entry names: "/" separated, no "*" or "%", no "//", not ending with "/".
    static func checkAnnotations(_ arg: Argument, _ v: Validator) {
        for s in arg.strings ?? [] where v.isConstant(s) {
            let b = s.bytes
            var ok = b.first == 0x2F && b.last != 0x2F
            var prev: UInt8 = 0
            for c in b {
                if c == 0x2A || c == 0x25 || c < 0x20 || c == 0x7F || (c == 0x2F && prev == 0x2F) { ok = false }
                prev = c
            }
            if !ok { v.warning(.invalidAnnotation(s.text), at: s) }
        }
    }
}
