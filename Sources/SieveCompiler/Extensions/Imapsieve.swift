// RFC 6785 (imapsieve): environment items only; no commands of its own.
struct Imapsieve: SieveExtension {
    let name = "imapsieve"
    var implies: [String] { [] }
}
