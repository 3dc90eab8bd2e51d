// RFC 5235 (spamtestplus): spamtest with `:percent`.
struct Spamtestplus: SieveExtension {
    let name = "spamtestplus"
    var implies: [String] { ["spamtest"] }
    var tags: [TagDefinition] { [TagDefinition("percent", target: .commands(["spamtest"]))] }
}
