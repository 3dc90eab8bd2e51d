// RFC 6131 (vacation-seconds)
struct VacationSeconds: SieveExtension {
    let name = "vacation-seconds"
    var implies: [String] { ["vacation"] }
    var tags: [TagDefinition] {
        [TagDefinition("seconds", parameter: .number, group: .named("period"), target: .commands(["vacation"]))]
    }
}
