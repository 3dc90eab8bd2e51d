// RFC 5228 §4.1 (fileinto)
struct Fileinto: SieveExtension {
    let name = "fileinto"
    var commands: [CommandDefinition] {
        [.command("fileinto", [.string], names: ["folder"], check: { use, v in
            guard case .string(let s) = use.positional[0].value, v.isConstant(s) else { return }
            if !Checks.isValidUTF8(s.bytes) { v.error(.invalidMailboxName(s.text), at: s) }
        })]
    }
}
