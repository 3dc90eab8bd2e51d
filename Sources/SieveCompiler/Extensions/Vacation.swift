// RFC 5230 (vacation)
struct Vacation: SieveExtension {
    let name = "vacation"
    static let minimumPeriod: UInt64 = 86_400
    var commands: [CommandDefinition] {
        [
            .command(
                "vacation", [.string], names: ["reason"],
                tags: [
                    TagDefinition("days", parameter: .number, group: .named("period")),
                    TagDefinition("subject", parameter: .string),
                    TagDefinition("from", parameter: .string),
                    TagDefinition("addresses", parameter: .stringList),
                    TagDefinition("mime"),
                    TagDefinition("handle", parameter: .string),
                ],
                check: { use, v in
                    if let d = use.tag("days")?.parameter, case .number(0) = d.value {
                        v.warning(.vacationPeriodZero, at: d)
                    }
                    // Pigeonhole's default sieve_vacation_min_period is one day.
                    if let s = use.tag("seconds")?.parameter, case .number(let n) = s.value, n < Vacation.minimumPeriod
                    {
                        v.warning(.vacationSecondsTooSmall(n, minimum: Vacation.minimumPeriod), at: s)
                    }
                    if let f = use.tag("from")?.parameter, case .string(let s) = f.value, v.isConstant(s),
                        let problem = Checks.addressProblem(s.bytes)
                    {
                        v.error(.invalidAddress(command: "vacation :from", address: s.text, reason: problem), at: s)
                    }
                })
        ]
    }
}
