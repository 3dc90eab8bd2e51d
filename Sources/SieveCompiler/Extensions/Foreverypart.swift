// RFC 5703 §3 (foreverypart)
struct Foreverypart: SieveExtension {
    let name = "foreverypart"
    static let maxDepth = 4
    var commands: [CommandDefinition] {
        [
            // foreverypart [":name" string] block
            .command(
                "foreverypart", [], tags: [TagDefinition("name", parameter: .string)], block: .required,
                check: { use, v in
                    let depth = v.enclosingCommands.filter { $0.name == "foreverypart" }.count
                    if depth >= Foreverypart.maxDepth {
                        v.error(.foreverypartTooDeep(limit: Foreverypart.maxDepth), at: use.node)
                    }
                }),
            // break [":name" string]
            .command(
                "break", [], tags: [TagDefinition("name", parameter: .string)],
                check: { use, v in
                    let loops = v.enclosingCommands.filter { $0.name == "foreverypart" }
                    if let p = use.tag("name")?.parameter, case .string(let s) = p.value {
                        let named = loops.contains { loop in
                            loop.arguments.contains {
                                if case .string(let n) = $0.value { return n.bytes == s.bytes } else { return false }
                            }
                        }
                        if !named { v.error(.breakOutsideLoop(name: s.text), at: use.node) }
                    } else if loops.isEmpty {
                        v.error(.breakOutsideLoop(name: nil), at: use.node)
                    }
                }),
        ]
    }
}
