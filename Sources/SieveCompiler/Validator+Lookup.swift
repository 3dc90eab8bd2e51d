// The lookup cache: command and test names resolved given the current requires (by name id, valid
// while the requires are unchanged), and the tags each resolved command accepts.

extension Validator {
    @inline(__always)
    func lookup(_ id: Int32, kind: CommandDefinition.Kind) -> Resolved {
        let slot = Int(id)
        if kind == .command {
            if let hit = commandSlots[slot], hit.generation == generation { return hit }
            let result = resolution(of: id, kind: kind)
            commandSlots[slot] = result
            return result
        }
        if let hit = testSlots[slot], hit.generation == generation { return hit }
        let result = resolution(of: id, kind: kind)
        testSlots[slot] = result
        return result
    }

    /// A new resolution of name `id`.
    func resolution(of id: Int32, kind: CommandDefinition.Kind) -> Resolved {
        let (entry, available, wrongKind) = resolve(tree.names.name(id), kind: kind)
        return Resolved(entry: entry, available: available, wrongKind: wrongKind, generation: generation)
    }

    /// The tags a resolved command or test accepts (cached with its lookup).
    func taggedContext(_ resolved: Resolved, _ def: CommandDefinition) -> CommandContext {
        if let context = resolved.tagged { return context }
        let tags = TagTable(computeTags(for: def, owner: resolved.owner))
        let context = CommandContext(definition: def, table: tags, storage: storage)
        resolved.tagged = context
        return context
    }

    func resolve(_ name: String, kind: CommandDefinition.Kind) -> (Entry?, available: Bool, wrongKind: Bool) {
        guard let entries = commands[name] else { return (nil, false, false) }
        var sameKind = entries.filter { $0.definition.kind == kind }
        if sameKind.isEmpty { return (nil, false, true) }
        // Prefer the definition whose extension the script required (e.g. duplicate vs vnd.dovecot.duplicate).
        sameKind.sort { a, b in (a.owner.map(requires) ?? true) && !(b.owner.map(requires) ?? true) }
        let best = sameKind[0]
        let available = best.owner.map(requires) ?? true
        return (best, available, false)
    }

    func unknownName(_ node: Node, kind: CommandDefinition.Kind, entry: Entry?, wrongKind: Bool) {
        let name = tree.name(of: node)
        // A name reported once already costs no lookups or suggestions again (hostile scripts repeat).
        if sink.wasReported(key: "\(kind == .command ? DiagnosticKind.CommandKind.command : .test):\(name)") { return }
        let kindText: DiagnosticKind.CommandKind = kind == .command ? .command : .test
        if wrongKind {
            error(.wrongKind(name, usedAs: kindText), at: node)
            return
        }
        if let owner = entry?.owner {
            sink.errorOnce(
                key: "\(kindText):\(name)", .notRequired(name, kind: kindText, extension: owner), line: node.line,
                column: node.column)
            return
        }
        if let disabled = ExtensionRegistry.definitions.first(where: { ext in
            ext.1.contains { $0.name == name && $0.kind == kind }
        }) {
            sink.errorOnce(
                key: "\(kindText):\(name)", .notEnabled(name, kind: kindText, extension: disabled.0), line: node.line,
                column: node.column)
            return
        }
        var candidates: [String] = []
        for (n, entries) in commands where entries.contains(where: { $0.definition.kind == kind }) {
            candidates.append(n)
        }
        sink.errorOnce(
            key: "\(kindText):\(name)",
            .unknownCommand(name, kind: kindText, suggestion: Suggest.closest(to: name, in: candidates.sorted())),
            line: node.line, column: node.column)
    }

    /// Validates one command; returns the constant value of its test when known at compile time.
    func computeTags(for def: CommandDefinition, owner: String?) -> [AvailableTag] {
        var result: [AvailableTag] = def.tags.map { AvailableTag($0, owner, true) }
        if def.features.contains(.comparator) { result.append(AvailableTag(CommonTags.comparator, nil, true)) }
        if def.features.contains(.matchType) { result += CommonTags.matchTypes.map { AvailableTag($0, nil, true) } }
        if def.features.contains(.addressPart) {
            result += CommonTags.addressParts.map { AvailableTag($0, nil, true) }
        }
        for (tag, tagOwner) in contributedTags {
            let applies: Bool
            switch tag.target {
            case .commands(let names): applies = names.contains(def.name)
            case .feature(let f): applies = def.features.contains(f)
            }
            if applies {
                result.append(
                    AvailableTag(tag, tagOwner, requires(tagOwner) && extraTagCondition(tag, owner: tagOwner)))
            }
        }
        return result
    }

    /// Tags that need a second extension (`:encodeurl` needs variables and enotify).
    func extraTagCondition(_ tag: TagDefinition, owner: String) -> Bool {
        if tag.name == "encodeurl" { return requires("variables") }
        return true
    }

    /// Matches the arguments of `node` against `def` (errors reported); returns the use for the checks to
}
