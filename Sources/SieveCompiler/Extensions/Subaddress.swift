// RFC 5233 (subaddress)
struct Subaddress: SieveExtension {
    let name = "subaddress"
    var tags: [TagDefinition] {
        ["user", "detail"].map { TagDefinition($0, group: .addressPart, target: .feature(.addressPart)) }
    }
}
