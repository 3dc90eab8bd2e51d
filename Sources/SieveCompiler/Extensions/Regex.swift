// draft-ietf-sieve-regex (regex): the :regex match type; patterns are checked in Validator.
struct Regex: SieveExtension {
    let name = "regex"
    var tags: [TagDefinition] { [TagDefinition("regex", group: .matchType, target: .feature(.matchType))] }
}
