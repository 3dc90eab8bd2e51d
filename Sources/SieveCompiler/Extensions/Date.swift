// RFC 5260 §4–5 (date)
struct DateExtension: SieveExtension {
    let name = "date"
    static let parts: Set<String> = [
        "year", "month", "day", "date", "julian", "hour", "minute", "second", "time", "iso8601", "std11", "zone",
        "weekday",
    ]

    static func checkPart(_ arg: Argument, _ v: Validator) {
        guard case .string(let s) = arg.value, v.isConstant(s) else { return }
        if !parts.contains(s.text.lowercased()) { v.warning(.unknownDatePart(s.text), at: s) }
    }

    static func checkZone(_ use: CommandUse, _ v: Validator) {
        guard let p = use.tag("zone")?.parameter, case .string(let s) = p.value, v.isConstant(s) else { return }
        // zone = ( "+" / "-" ) 4DIGIT
        let b = s.bytes
        let ok =
            b.count == 5 && (b[0] == 0x2B || b[0] == 0x2D) && b[1...].allSatisfy(Lexer.isDigit)
        if !ok { v.warning(.invalidZone(s.text), at: s) }
    }

    var commands: [CommandDefinition] {
        [
            // date [<":zone" <time-zone: string>> / ":originalzone"] [COMPARATOR] [MATCH-TYPE]
            //      <header-name: string> <date-part: string> <key-list: string-list>
            .test(
                "date", [.string, .string, .stringList], names: ["header name", "date part", "key list"],
                tags: [
                    TagDefinition("zone", parameter: .string, group: .named("zone")),
                    TagDefinition("originalzone", group: .named("zone")),
                ], features: [.comparator, .matchType, .headerIndex],
                check: { use, v in
                    DateExtension.checkZone(use, v)
                    DateExtension.checkPart(use.positional[1], v)
                    Checks.warnHeaderNames(use.positional[0], v)
                }),
            .test(
                "currentdate", [.string, .stringList], names: ["date part", "key list"],
                tags: [
                    TagDefinition("zone", parameter: .string, group: .named("zone"))
                ], features: CommonTags.matching,
                check: { use, v in
                    DateExtension.checkZone(use, v)
                    DateExtension.checkPart(use.positional[0], v)
                }),
        ]
    }
}
