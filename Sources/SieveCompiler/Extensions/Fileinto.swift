// RFC 5228 §4.1 (fileinto)
struct Fileinto: SieveExtension {
    let name = "fileinto"
    var commands: [CommandDefinition] {
        [
            .command(
                "fileinto", [.string], names: ["folder"],
                check: { use, v in
                    if let p = use.tag("specialuse")?.parameter, case .string(let flag) = p.value {
                        SpecialUse.checkFlag(flag, v, strict: true)
                    }
                    guard use.isString(positional: 0) else { return }
                    let s = use.literal(ofPositional: 0)
                    guard v.isConstant(s) else { return }
                    if !Checks.isValidUTF8(s) { v.error(.invalidMailboxName(s.text), at: s) }
                })
        ]
    }
}
