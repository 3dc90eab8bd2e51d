// The one list of extensions. Its order is Pigeonhole's capability order; the SIEVE capability
// string is derived from it.

enum ExtensionRegistry {
    static let all: [any SieveExtension] = [
        Fileinto(), Reject(), Ereject(), Envelope(), EncodedCharacter(), Vacation(), Subaddress(),
        ComparatorAsciiNumeric(), Relational(), Regex(), Imap4flags(), Copy(), Include(), Variables(), Body(),
        Enotify(), Environment(), Mailbox(), DateExtension(), IndexExtension(), Ihave(), Duplicate(), Mime(),
        Foreverypart(), Extracttext(),
        // Not in Pigeonhole's default set:
        VacationSeconds(), Spamtest(), Spamtestplus(), Virustest(), Editheader(), Mboxmetadata(), Servermetadata(),
        SpecialUse(), VndDovecotDebug(), VndDovecotEnvironment(), VndDovecotReport(), Imapflags(), Notify(),
        VndDovecotDuplicate(), VndDovecotPipe(), VndDovecotFilter(), VndDovecotExecute(), Imapsieve(),
        VndDovecotImapsieve(),
    ]

    static let names: [String] = all.map(\.name)

    /// Every extension's commands and contributed tags, built once: (extension, commands, tags).
    static let definitions: [(String, [CommandDefinition], [TagDefinition])] = all.map {
        ($0.name, $0.commands, $0.tags)
    }

    /// Capabilities every script may require and no server advertises (RFC 4790 comparators of the base spec).
    static let implicit: Set<String> = ["comparator-i;octet", "comparator-i;ascii-casemap"]

    static let byName: [String: any SieveExtension] = {
        var d: [String: any SieveExtension] = [:]
        for e in all { d[e.name] = e }
        return d
    }()

    /// Pigeonhole 0.5.19's default `sieve_extensions`: everything up to extracttext (ereject is not built in).
    static let defaultNames: [String] = {
        let end = names.firstIndex(of: "extracttext")!
        return names[...end].filter { $0 != "ereject" }
    }()
}
