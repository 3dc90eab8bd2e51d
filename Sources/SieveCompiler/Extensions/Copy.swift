// RFC 3894 (copy)
struct Copy: SieveExtension {
    let name = "copy"
    var tags: [TagDefinition] { [TagDefinition("copy", target: .commands(["fileinto", "redirect", "pipe"]))] }
}
