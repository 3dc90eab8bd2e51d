// Argument matching: a command's tags (known, usable, not repeated, parameters of the right type) and
// its positional arguments against the definition's signatures.

extension Validator {
    /// read, or nil when the arguments are wrong or there is nothing to check.
    func matchArguments(_ def: CommandDefinition, node: Node, resolved: Resolved) -> CommandUse? {
        let start = Int(node.argumentStart)
        let end = start + Int(node.argumentCount)
        var hasTag = false
        for k in start..<end where storage.arguments[k].isTag {
            hasTag = true
            break
        }
        // Fast path: no tags at all (most commands).
        if !hasTag {
            guard positionalMatch(def, node: node, base: start, count: end - start) else { return nil }
            // Without tags the shared checks only look at MIME options: with no check of its own either,
            // nothing would read the use (`if`, `else`, `stop`, `keep`, `not`, …), so none is made.
            if def.check == nil, !(def.features.contains(.mimeHeader) && hasMime) { return nil }
            let context = resolved.plain ?? CommandContext(definition: def, table: noTags, storage: storage)
            resolved.plain = context
            return CommandUse(
                node: node, context: context, arguments: ArgumentList(node, in: storage), tagArgumentCount: 0)
        }
        return matchArguments(def, node: node, context: taggedContext(resolved, def))
    }

    /// What matching the tags of a command found wrong (reported by `reportTagProblem`).
    enum TagProblem {
        case none
        /// Unknown, or known but not required, tag at this argument.
        case notUsable(Int)
        case duplicate(Int, tag: Int)
        case parameterMissing(Int, tag: Int)
        case parameterType(Int, tag: Int)
    }

    /// Matches the arguments of `node` against `def`, given the tags it accepts (`infos` is `tags` as plain
    /// data). Works on the argument records: strings are not copied, tags are not reference counted.
    func matchArguments(_ def: CommandDefinition, node: Node, context: CommandContext) -> CommandUse? {
        let table = context.table
        let base = Int(node.argumentStart)
        let count = Int(node.argumentCount)
        var common = CommonTagPositions()
        var i = 0
        let problem = storage.arguments.withUnsafeBufferPointer { records in
            table.infos.withUnsafeBufferPointer { infos in
                table.indexByID.withUnsafeBufferPointer { byID in
                    matchTags(records, base: base, count: count, infos, byID, &common, &i)
                }
            }
        }
        if case .none = problem {
            guard positionalMatch(def, node: node, base: base + i, count: count - i) else { return nil }
            return CommandUse(
                node: node, context: context, arguments: ArgumentList(node, in: storage), tagArgumentCount: i,
                common: common)
        }
        reportTagProblem(problem, def, table.tags)
        return nil
    }

    /// The tag part of `matchArguments`: every tag known and usable, no duplicates, parameters present and
    /// of the right type. Leaves `i` after the leading tags and their parameters.
    @inline(__always)
    func matchTags(
        _ records: UnsafeBufferPointer<ArgumentRecord>, base: Int, count: Int, _ infos: UnsafeBufferPointer<TagInfo>,
        _ byID: UnsafeBufferPointer<Int16>, _ common: inout CommonTagPositions, _ i: inout Int
    ) -> TagProblem {
        // First every tag anywhere must be known (and usable).
        for k in base..<(base + count) where records[k].kind == .tag {
            guard let t = Validator.tagIndex(records[k].first, in: byID), infos[t].available else {
                return .notUsable(k)
            }
        }
        while i < count, records[base + i].kind == .tag {
            let id = records[base + i].first
            let t = Validator.tagIndex(id, in: byID)!
            let info = infos[t]
            // Duplicates are found among the tags already taken (few: no set needed).
            if info.group != 0 || !info.repeatable {
                var k = 0
                while k < i {
                    let e = Validator.tagIndex(records[base + k].first, in: byID)!
                    if info.group != 0 ? infos[e].group == info.group : infos[e].id == id {
                        return .duplicate(base + i, tag: t)
                    }
                    k += infos[e].parameter == nil ? 1 : 2
                }
            }
            if id == KnownName.comparator, common.comparator < 0 { common.comparator = Int32(i) }
            if info.group == 1, common.matchType < 0 {
                common.matchType = Int32(i)
                common.matchTypeID = id
                common.matchTypeHasParameter = info.parameter != nil
            }
            if id == KnownName.index, common.index < 0 { common.index = Int32(i) }
            if id == KnownName.last, common.last < 0 { common.last = Int32(i) }
            if let type = info.parameter {
                guard i + 1 < count else { return .parameterMissing(base + i, tag: t) }
                if !Validator.matches(records[base + i + 1].kind, type) { return .parameterType(base + i, tag: t) }
                i += 1
            }
            i += 1
        }
        return .none
    }

    func reportTagProblem(_ problem: TagProblem, _ def: CommandDefinition, _ tags: [AvailableTag]) {
        let kindText: DiagnosticKind.CommandKind = def.kind == .command ? .command : .test
        switch problem {
        case .none: return
        case .notUsable(let k):
            let arg = storage.arguments[k]
            let name = storage.names.name(arg.first)
            if let index = Validator.tagIndex(arg.first, in: tags) {
                let found = tags[index]
                sink.errorOnce(
                    key: "tag:\(def.name):\(name)",
                    .tagNotRequired(name, command: def.name, kind: kindText, extension: found.owner ?? ""),
                    line: arg.line, column: arg.column)
                return
            }
            if sink.wasReported(key: "tag:\(def.name):\(name)") { return }
            let usable = tags.filter { $0.available }.map { $0.definition.name }
            sink.errorOnce(
                key: "tag:\(def.name):\(name)",
                .unknownTag(name, command: def.name, kind: kindText, suggestion: Suggest.closest(to: name, in: usable)),
                line: arg.line, column: arg.column)
        case .duplicate(let k, let t):
            let tag = tags[t].definition
            error(
                .duplicateTag(tag.name, group: tag.group?.displayName ?? "", command: def.name, kind: kindText),
                at: storage.arguments[k])
        case .parameterMissing(let k, let t):
            let tag = tags[t].definition
            error(
                .tagParameterMissing(tag.name, command: def.name, kind: kindText, expected: tag.parameter!.name),
                at: storage.arguments[k])
        case .parameterType(let k, let t):
            let tag = tags[t].definition
            error(
                .tagParameterType(
                    tag.name, command: def.name, kind: kindText, expected: tag.parameter!.name,
                    found: storage.typeName(k + 1)), at: storage.arguments[k + 1])
        }
    }

    /// The index of the tag with name id `id` among `tags`.
    static func tagIndex(_ id: Int32, in tags: [AvailableTag]) -> Int? {
        for k in tags.indices where tags[k].id == id { return k }
        return nil
    }

    /// The index of the first tag with name id `id`, by `TagTable.indexByID`.
    @inline(__always)
    static func tagIndex(_ id: Int32, in byID: UnsafeBufferPointer<Int16>) -> Int? {
        guard id >= 0, Int(id) < byID.count else { return nil }
        let k = byID[Int(id)]
        return k < 0 ? nil : Int(k)
    }

    /// Checks the positional arguments against the definition's signatures.
    @inline(__always)
    func positionalMatch(_ def: CommandDefinition, node: Node, base: Int, count: Int) -> Bool {
        let positional = (base: base, count: count)
        let kindText: DiagnosticKind.CommandKind = def.kind == .command ? .command : .test
        for n in 0..<positional.count where storage.arguments[positional.base + n].isTag {
            let stray = storage.arguments[positional.base + n]
            error(.unexpectedTag(storage.names.name(stray.first), command: def.name, kind: kindText), at: stray)
            return false
        }
        let signatureIndex = positional.count <= def.maxPositional ? def.signatureByCount[positional.count] : -1
        guard signatureIndex >= 0 else {
            let counts = Set(def.signatures.map(\.count)).sorted()
            error(
                .argumentCount(command: def.name, kind: kindText, expected: counts, found: positional.count), at: node)
            return false
        }
        let signature = def.signatures[signatureIndex]
        for n in 0..<positional.count
        where !Validator.matches(storage.arguments[positional.base + n].kind, signature[n]) {
            let arg = storage.arguments[positional.base + n]
            let type = signature[n]
            let argName = n < def.argumentNames.count ? def.argumentNames[n] : ""
            error(
                .argumentType(
                    command: def.name, kind: kindText, position: n + 1, name: argName, expected: type.name,
                    found: storage.typeName(positional.base + n)),
                at: arg)
            return false
        }
        return true
    }

    static func matches(_ kind: ArgumentRecord.Kind, _ type: ArgumentType) -> Bool {
        switch (kind, type) {
        case (.string, .string), (.string, .stringList), (.stringList, .stringList), (.number, .number), (_, .any):
            return true
        default: return false
        }
    }
}
