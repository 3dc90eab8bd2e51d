// RFC 5231 (relational): the :count and :value match types; the operator is checked in Validator.
struct Relational: SieveExtension {
    let name = "relational"
    var tags: [TagDefinition] {
        ["count", "value"].map {
            TagDefinition($0, parameter: .string, group: .matchType, target: .feature(.matchType))
        }
    }
}
