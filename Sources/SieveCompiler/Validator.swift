// The semantic pass: `require`, command/test lookup through the extension registry, argument shapes,
// tag conflicts, and the extensions' own checks. Recursion follows the syntax tree, whose depth the
// parser already bounded.
//
// The state read or written for every node is marked `@exclusivity(unchecked)`: the validator runs on one
// thread and never keeps an access to these properties open across a call, so the dynamic exclusivity
// checks would find nothing. Everything else is ordinary safe Swift: lookups and uses hold strong
// references, and records are read from the arrays that own them (pointers only inside withUnsafe scopes).
final class Validator {
    let options: CompileOptions
    let sink: DiagnosticSink
    /// Extensions enabled for this server (`sieve_extensions`).
    let enabled: ExtensionSet
    /// Extensions the script required (with implied ones).
    private(set) var required: Set<String> = []
    private(set) var includes: [IncludeReference] = []

    /// The script being validated.
    let tree: SyntaxTree
    /// Its arguments and strings.
    let storage: ArgumentStorage

    private struct Entry {
        var definition: CommandDefinition
        var owner: String?
    }
    /// A command or test name resolved given the current requires, with the tags it then accepts
    /// (computed on first use).
    private final class Resolved {
        let entry: Entry?
        /// The entry's definition and owner extension, read without copying the entry.
        let definition: CommandDefinition?
        let owner: String?
        let available: Bool
        let wrongKind: Bool
        /// What the uses of this command share, without tags and with the tags it accepts (made on first use).
        @exclusivity(unchecked) var plain: CommandContext?
        @exclusivity(unchecked) var tagged: CommandContext?
        /// `Validator.generation` when resolved; older entries are stale.
        let generation: Int

        init(entry: Entry?, available: Bool, wrongKind: Bool, generation: Int) {
            self.entry = entry
            definition = entry?.definition
            owner = entry?.owner
            self.available = available
            self.wrongKind = wrongKind
            self.generation = generation
        }
    }
    /// Every command and test of every extension enabled on the server, by name.
    private let commands: [String: [Entry]]
    private let contributedTags: [(tag: TagDefinition, owner: String)]
    /// Lookups by name id (`NameTable`), valid while `generation` is unchanged (requires change it).
    @exclusivity(unchecked) private var commandSlots: [Resolved?]
    @exclusivity(unchecked) private var testSlots: [Resolved?]
    @exclusivity(unchecked) private var generation = 0
    /// Whether variables / encoded-character are required (hot in checkStrings).
    @exclusivity(unchecked) private(set) var hasVariables = false
    @exclusivity(unchecked) private(set) var hasEncodedCharacter = false
    @exclusivity(unchecked) private(set) var hasMime = false
    /// Whether encoded-character decoding changed any string of the script.
    let hasDecodings: Bool
    /// Commands enclosing the current node (innermost last).
    var enclosingCommands: [EnclosingCommand] { enclosingNodes.map { EnclosingCommand($0, in: storage) } }
    @exclusivity(unchecked) private var enclosingNodes: [Node] = []
    /// Names of variables the script declares (`set`, etc.).
    @exclusivity(unchecked) var declaredVariables: Set<String> = []
    /// Variables used (read or assigned) as local ones so far, and those declared with `global`.
    @exclusivity(unchecked) var localVariables: Set<String> = []
    @exclusivity(unchecked) var globalVariables: Set<String> = []
    @exclusivity(unchecked) var redirectCount = 0
    /// The plain variable name (as written) `checkAssignable` declared last (empty: none).
    @exclusivity(unchecked) var lastAssigned: [UInt8] = []
    /// The expanded size of the regular expressions checked so far (RegexRisk.expandedSize).
    @exclusivity(unchecked) private var regexWork = 0
    /// The estimated regcomp memory of the regular expressions checked so far (RegexRisk.compileCost).
    @exclusivity(unchecked) private var regexCompileWork = 0

    /// The command or test being checked (for messages).
    var currentCommand: String { tree.names.name(currentNameID) }
    @exclusivity(unchecked) private var currentNameID: Int32 = 0
    private var redirectWarned = false

    init(options: CompileOptions, sink: DiagnosticSink, tree: SyntaxTree) {
        self.options = options
        self.sink = sink
        self.tree = tree
        storage = tree.storage()
        hasDecodings = !tree.decodings.isEmpty
        commandSlots = Array(repeating: nil, count: tree.names.count)
        testSlots = Array(repeating: nil, count: tree.names.count)
        self.enabled = options.extensions
        var commands: [String: [Entry]] = [:]
        var contributedTags: [(tag: TagDefinition, owner: String)] = []
        for def in CoreLanguage.commands {
            commands[def.name, default: []].append(Entry(definition: def, owner: nil))
        }
        let enabled = options.extensions
        let implied = Set(ExtensionRegistry.all.filter { enabled.contains($0.name) }.flatMap(\.implies))
        // The definitions are built once per process (ExtensionRegistry.definitions), not per compile.
        for (name, definitions, tags) in ExtensionRegistry.definitions
        where enabled.contains(name) || implied.contains(name) {
            for def in definitions {
                commands[def.name, default: []].append(Entry(definition: def, owner: name))
            }
            for tag in tags { contributedTags.append((tag, name)) }
        }
        self.commands = commands
        self.contributedTags = contributedTags
    }

    // MARK: Reporting

    func error(_ kind: DiagnosticKind, line: Int, column: Int) { sink.error(kind, line: line, column: column) }
    func error(_ kind: DiagnosticKind, at node: Node) { sink.error(kind, line: node.line, column: node.column) }
    func error(_ kind: DiagnosticKind, at arg: Argument) { sink.error(kind, line: arg.line, column: arg.column) }
    func error(_ kind: DiagnosticKind, at arg: ArgumentRecord) { sink.error(kind, line: arg.line, column: arg.column) }
    func error(_ kind: DiagnosticKind, at s: StringLiteral) { sink.error(kind, line: s.line, column: s.column) }
    func warning(_ kind: DiagnosticKind, at node: Node) { sink.warning(kind, line: node.line, column: node.column) }
    func warning(_ kind: DiagnosticKind, at arg: Argument) { sink.warning(kind, line: arg.line, column: arg.column) }
    func warning(_ kind: DiagnosticKind, at s: StringLiteral) { sink.warning(kind, line: s.line, column: s.column) }

    func requires(_ name: String) -> Bool { required.contains(name) }

    func addInclude(_ ref: IncludeReference) { includes.append(ref) }

    func addRequired(_ name: String) {
        // Repeated requires (or ihave tests) of a loaded extension change nothing: keep the caches.
        let implied = ExtensionRegistry.byName[name]?.implies ?? []
        if required.contains(name) && implied.allSatisfy(required.contains) { return }
        generation += 1
        defer {
            hasVariables = required.contains("variables")
            hasEncodedCharacter = required.contains("encoded-character")
            hasMime = required.contains("mime")
        }
        required.insert(name)
        for implied in ExtensionRegistry.byName[name]?.implies ?? [] { required.insert(implied) }
    }

    // MARK: Strings

    /// Whether a string's value is known at compile time: without `variables` every string is; with it,
    /// a string containing a variable reference is not.
    func isConstant(_ s: StringLiteral) -> Bool {
        guard hasVariables, s.mayContainReference else { return true }
        return !s.withBytes(VariableSyntax.containsReference)
    }

    // MARK: The walk

    func validate() {
        validateScript()
    }

    private func validateScript() {
        var index = tree.first
        // require commands must come first, at top level.
        while index >= 0, tree.nodes[Int(index)].nameID == KnownName.require {
            validateRequire(tree.nodes[Int(index)])
            index = tree.nodes[Int(index)].next
        }
        validateBlock(first: index)
        if redirectCount > options.maxRedirects, let first = firstRedirect {
            sink.warning(
                .tooManyRedirects(count: redirectCount, limit: options.maxRedirects), line: first.line,
                column: first.column)
        }
    }
    private var firstRedirect: Node?
    /// The tag table of commands written without tags.
    private let noTags = TagTable([])

    /// The comparators the script may name (with the current requires).
    private var knownComparators: [String] {
        if knownComparatorsGeneration != generation {
            knownComparatorsCache =
                ["i;octet", "i;ascii-casemap"]
                + ExtensionRegistry.all.filter { requires($0.name) }.flatMap(\.comparators)
            knownComparatorsGeneration = generation
        }
        return knownComparatorsCache
    }
    private var knownComparatorsCache: [String] = []
    private var knownComparatorsGeneration = -1

    func noteRedirect(_ node: Node) {
        redirectCount += 1
        if firstRedirect == nil { firstRedirect = node }
    }

    private func validateRequire(_ node: Node) {
        let tags = TagTable(computeTags(for: CoreLanguage.require, owner: nil))
        let context = CommandContext(definition: CoreLanguage.require, table: tags, storage: storage)
        guard let use = matchArguments(CoreLanguage.require, node: node, context: context)
        else { return }
        if node.testCount > 0 { error(.noTestsAllowed(command: "require", kind: .command), at: node) }
        if node.hasBlock { error(.blockNotAllowed(command: "require"), at: node) }
        guard let names = use.positional.first?.strings else { return }
        for s in names {
            let name = s.text
            if ExtensionRegistry.implicit.contains(name) { continue }
            guard enabled.contains(name), let ext = ExtensionRegistry.byName[name], ext.isRequirable else {
                let candidates = enabled.names.filter { ExtensionRegistry.byName[$0]?.isRequirable ?? false }
                if ExtensionRegistry.byName[name] != nil {
                    error(.capabilityNotEnabled(name), at: s)
                } else {
                    error(.unknownCapability(name, suggestion: Suggest.closest(to: name, in: candidates)), at: s)
                }
                continue
            }
            if ext.isDeprecated { warning(.deprecatedExtension(name), at: s) }
            for other in ext.conflicts where required.contains(other) {
                error(.conflictingExtensions(name, other), at: s)
            }
            addRequired(name)
        }
        for s in names {
            guard let ext = ExtensionRegistry.byName[s.text], required.contains(s.text) else { continue }
            for dep in ext.dependencies where !required.contains(dep) {
                error(.missingDependency(extension: s.text, needs: dep), at: s)
            }
        }
    }

    /// Validates the commands of a block (or of the script) chained from `first`.
    private func validateBlock(first: Int32) {
        var previous: Int32 = -1
        var afterStop: Node? = nil
        var warnedAfterStop = false
        var chainDecided = false
        var index = first
        while index >= 0 {
            if sink.isFull { return }
            let node = tree.nodes[Int(index)]
            index = node.next
            if let stop = afterStop, !warnedAfterStop {
                warning(.unreachableAfterStop(stopLine: stop.line), at: node)
                warnedAfterStop = true
            }
            let isChainPart = node.nameID == KnownName.elsif || node.nameID == KnownName.else
            if isChainPart && chainDecided && (previous == KnownName.if || previous == KnownName.elsif) {
                // An earlier branch is constantly true: Pigeonhole checks only this branch's shape.
                if let def = lookup(node.nameID, kind: .command).entry?.definition {
                    if !node.hasBlock { error(.blockRequired(command: tree.name(of: node)), at: node) }
                    checkSubtests(def, node: node, kind: .command)
                }
                previous = node.nameID
                continue
            }
            let constant = validateCommand(node, previous: previous)
            if node.nameID == KnownName.if {
                chainDecided = constant == true
            } else if node.nameID == KnownName.elsif {
                chainDecided = chainDecided || constant == true
            } else {
                chainDecided = false
            }
            previous = node.nameID
            if node.nameID == KnownName.stop { afterStop = node }
        }
    }

    @inline(__always)
    private func lookup(_ id: Int32, kind: CommandDefinition.Kind) -> Resolved {
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
    private func resolution(of id: Int32, kind: CommandDefinition.Kind) -> Resolved {
        let (entry, available, wrongKind) = resolve(tree.names.name(id), kind: kind)
        return Resolved(entry: entry, available: available, wrongKind: wrongKind, generation: generation)
    }

    /// The tags a resolved command or test accepts (cached with its lookup).
    private func taggedContext(_ resolved: Resolved, _ def: CommandDefinition) -> CommandContext {
        if let context = resolved.tagged { return context }
        let tags = TagTable(computeTags(for: def, owner: resolved.owner))
        let context = CommandContext(definition: def, table: tags, storage: storage)
        resolved.tagged = context
        return context
    }

    private func resolve(_ name: String, kind: CommandDefinition.Kind) -> (Entry?, available: Bool, wrongKind: Bool) {
        guard let entries = commands[name] else { return (nil, false, false) }
        var sameKind = entries.filter { $0.definition.kind == kind }
        if sameKind.isEmpty { return (nil, false, true) }
        // Prefer the definition whose extension the script required (e.g. duplicate vs vnd.dovecot.duplicate).
        sameKind.sort { a, b in (a.owner.map(requires) ?? true) && !(b.owner.map(requires) ?? true) }
        let best = sameKind[0]
        let available = best.owner.map(requires) ?? true
        return (best, available, false)
    }

    private func unknownName(_ node: Node, kind: CommandDefinition.Kind, entry: Entry?, wrongKind: Bool) {
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
    @discardableResult
    private func validateCommand(_ node: Node, previous: Int32) -> Bool? {
        if node.nameID == KnownName.require {
            error(.requireNotAtTop, at: node)
            return nil
        }
        return validateCommand(node, previous: previous, resolved: lookup(node.nameID, kind: .command))
    }

    private func validateCommand(_ node: Node, previous: Int32, resolved: Resolved) -> Bool? {
        guard let def = resolved.definition, resolved.available else {
            unknownName(node, kind: .command, entry: resolved.entry, wrongKind: resolved.wrongKind)
            return nil
        }
        if node.nameID == KnownName.elsif || node.nameID == KnownName.else {
            if previous != KnownName.if && previous != KnownName.elsif {
                error(.elseWithoutIf(tree.name(of: node)), at: node)
            }
        }
        // Block and test structure.
        switch def.block {
        case .required:
            if !node.hasBlock { error(.blockRequired(command: tree.name(of: node)), at: node) }
        case .none:
            if node.hasBlock { error(.blockNotAllowed(command: tree.name(of: node)), at: node) }
        }
        checkSubtests(def, node: node, kind: .command)
        currentNameID = node.nameID
        if let use = matchArguments(def, node: node, resolved: resolved) {
            checkCommon(use)
            def.check?(use, self)
        }
        checkStrings(node)
        var constant: Bool? = nil
        var test = node.firstTest
        while test >= 0 {
            constant = validateTest(tree.nodes[Int(test)])
            test = tree.nodes[Int(test)].next
        }
        if node.hasBlock {
            // Pigeonhole folds constant tests: a block behind a constantly false test is not validated.
            if constant == false { return constant }
            enclosingNodes.append(node)
            validateBlock(first: node.firstChild)
            enclosingNodes.removeLast()
        }
        return constant
    }

    @inline(__always)
    private func checkSubtests(_ def: CommandDefinition, node: Node, kind: CommandDefinition.Kind) {
        let k: DiagnosticKind.CommandKind = kind == .command ? .command : .test
        switch def.subtests {
        case .none:
            if node.testCount > 0 { error(.noTestsAllowed(command: tree.name(of: node), kind: k), at: node) }
        case .one:
            if node.testCount == 0 {
                error(.testRequired(command: tree.name(of: node), kind: k), at: node)
            } else if node.hasTestList {
                error(.singleTestRequired(command: tree.name(of: node), kind: k), at: node)
            }
        case .list:
            if node.testCount == 0 || !node.hasTestList {
                error(.testListRequired(command: tree.name(of: node), kind: k), at: node)
            }
        }
    }

    /// Validates a test; returns its value when constant (true, false, not/allof/anyof of constants,
    /// ihave). allof stops at the first constant false and anyof at the first constant true: like
    /// Pigeonhole, the tests after it are not validated.
    @discardableResult
    private func validateTest(_ node: Node) -> Bool? {
        if sink.isFull { return nil }
        return validateTest(node, resolved: lookup(node.nameID, kind: .test))
    }

    private func validateTest(_ node: Node, resolved: Resolved) -> Bool? {
        guard let def = resolved.definition, resolved.available else {
            unknownName(node, kind: .test, entry: resolved.entry, wrongKind: resolved.wrongKind)
            return nil
        }
        var constant: Bool? = nil
        if node.nameID == KnownName.ihave { constant = noteIhave(node) }
        checkSubtests(def, node: node, kind: .test)
        currentNameID = node.nameID
        if let use = matchArguments(def, node: node, resolved: resolved) {
            checkCommon(use)
            def.check?(use, self)
        }
        checkStrings(node)
        if resolved.owner == nil {
            switch node.nameID {
            case KnownName.true: return true
            case KnownName.false: return false
            case KnownName.not:
                guard node.testCount == 1 else { break }
                return validateTest(tree.nodes[Int(node.firstTest)]).map { !$0 }
            case KnownName.allof, KnownName.anyof:
                let stopAt = node.nameID == KnownName.anyof
                var allConstant = true
                var test = node.firstTest
                while test >= 0 {
                    let value = validateTest(tree.nodes[Int(test)])
                    if value == stopAt { return stopAt }
                    if value == nil { allConstant = false }
                    test = tree.nodes[Int(test)].next
                }
                return allConstant && node.testCount > 0 ? !stopAt : nil
            default: break
            }
        }
        var test = node.firstTest
        while test >= 0 {
            validateTest(tree.nodes[Int(test)])
            test = tree.nodes[Int(test)].next
        }
        return constant
    }

    // MARK: Arguments

    private func computeTags(for def: CommandDefinition, owner: String?) -> [AvailableTag] {
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
    private func extraTagCondition(_ tag: TagDefinition, owner: String) -> Bool {
        if tag.name == "encodeurl" { return requires("variables") }
        return true
    }

    /// Matches the arguments of `node` against `def` (errors reported); returns the use for the checks to
    /// read, or nil when the arguments are wrong or there is nothing to check.
    private func matchArguments(_ def: CommandDefinition, node: Node, resolved: Resolved) -> CommandUse? {
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
    private enum TagProblem {
        case none
        /// Unknown, or known but not required, tag at this argument.
        case notUsable(Int)
        case duplicate(Int, tag: Int)
        case parameterMissing(Int, tag: Int)
        case parameterType(Int, tag: Int)
    }

    /// Matches the arguments of `node` against `def`, given the tags it accepts (`infos` is `tags` as plain
    /// data). Works on the argument records: strings are not copied, tags are not reference counted.
    private func matchArguments(_ def: CommandDefinition, node: Node, context: CommandContext) -> CommandUse? {
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
    private func matchTags(
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

    private func reportTagProblem(_ problem: TagProblem, _ def: CommandDefinition, _ tags: [AvailableTag]) {
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
    private static func tagIndex(_ id: Int32, in tags: [AvailableTag]) -> Int? {
        for k in tags.indices where tags[k].id == id { return k }
        return nil
    }

    /// The index of the first tag with name id `id`, by `TagTable.indexByID`.
    @inline(__always)
    private static func tagIndex(_ id: Int32, in byID: UnsafeBufferPointer<Int16>) -> Int? {
        guard id >= 0, Int(id) < byID.count else { return nil }
        let k = byID[Int(id)]
        return k < 0 ? nil : Int(k)
    }

    /// Checks the positional arguments against the definition's signatures.
    @inline(__always)
    private func positionalMatch(_ def: CommandDefinition, node: Node, base: Int, count: Int) -> Bool {
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

    // MARK: Checks every command with comparators and match types shares

    private func checkCommon(_ use: CommandUse) {
        // Without tags only the MIME check can apply (the rest is about tags).
        if use.tagArgumentCount == 0 {
            if use.definition.features.contains(.mimeHeader), hasMime { Mime.check(use, self) }
            return
        }
        let kindText: DiagnosticKind.CommandKind = use.definition.kind == .command ? .command : .test
        // Matching the arguments found where the tags these checks read are.
        let base = use.argumentBase
        let comparatorAt = Int(use.common.comparator)
        let matchTypeAt = Int(use.common.matchType)
        let matchType = use.common.matchTypeID
        let indexAt = Int(use.common.index)
        let lastAt = Int(use.common.last)
        // The default comparator is i;ascii-casemap; the name is compared only when one is given.
        var comparator = "i;ascii-casemap"
        var comparatorGiven = false
        if comparatorAt >= 0, storage.arguments[base + comparatorAt + 1].kind == .string {
            let s = storage.literal(Int(storage.arguments[base + comparatorAt + 1].first))
            comparatorGiven = true
            comparator = s.text.lowercased()
            if !knownComparators.contains(comparator) {
                error(.unknownComparator(comparator), at: s)
                return
            }
        }
        if matchTypeAt >= 0 {
            let matchTypeRecord = storage.arguments[base + matchTypeAt]
            if comparatorGiven, comparator == "i;ascii-numeric",
                matchType == KnownName.contains || matchType == KnownName.matches
            {
                error(
                    .comparatorNoSubstring(comparator: comparator, matchType: storage.names.name(matchType)),
                    at: matchTypeRecord)
                return
            }
            if matchType == KnownName.regex, comparatorGiven, comparator != "i;octet", comparator != "i;ascii-casemap" {
                error(.regexComparator, at: matchTypeRecord)
                return
            }
            if matchType == KnownName.value || matchType == KnownName.count, use.common.matchTypeHasParameter,
                storage.arguments[base + matchTypeAt + 1].kind == .string
            {
                let name = storage.names.name(matchType)
                let s = storage.literal(Int(storage.arguments[base + matchTypeAt + 1].first))
                let ops = ["gt", "ge", "lt", "le", "eq", "ne"]
                if !ops.contains(s.text) || !isConstant(s) {
                    error(.relationalOperator(matchType: name, found: s.text), at: s)
                    return
                }
            }
            // The key list is the last positional argument of a matching test.
            if matchType == KnownName.regex || matchType == KnownName.matches,
                use.positionalCount == use.definition.maxPositional, use.positionalCount > 0
            {
                let keys = use.strings(ofPositional: use.positionalCount - 1)
                if matchType == KnownName.regex {
                    for key in keys where isConstant(key) {
                        let pattern = key.text
                        // Refused before regcomp sees it: expanding it could take seconds and gigabytes.
                        let bytes = key.bytes
                        let size = RegexRisk.expandedSize(bytes)
                        if size > RegexRisk.maxExpandedSize {
                            error(.regexTooComplex(pattern, size: size, limit: RegexRisk.maxExpandedSize), at: key)
                            return
                        }
                        // Many patterns just under the limit must not add up to minutes of regcomp.
                        regexWork += size
                        if regexWork > RegexRisk.maxTotalExpandedSize {
                            error(.regexesTooComplex(limit: RegexRisk.maxTotalExpandedSize), at: key)
                            return
                        }
                        // Nested bounded repetitions (`a{0,16000}`) cost regcomp far more than their expanded size.
                        let cost = RegexRisk.compileCost(bytes).estimatedBytes
                        if cost > RegexRisk.maxCompileBytes {
                            error(.regexTooCostly(pattern, bytes: cost, limit: RegexRisk.maxCompileBytes), at: key)
                            return
                        }
                        regexCompileWork = RegexCost.add(regexCompileWork, cost)
                        if regexCompileWork > RegexRisk.maxTotalCompileBytes {
                            error(.regexesTooCostly(limit: RegexRisk.maxTotalCompileBytes), at: key)
                            return
                        }
                        if let checker = options.regexChecker,
                            let problem = checker(pattern, comparator == "i;ascii-casemap")
                        {
                            error(.invalidRegex(pattern, reason: problem), at: key)
                            return
                        }
                        if RegexRisk.isCatastrophic(bytes) { warning(.regexBacktracking(pattern), at: key) }
                    }
                } else if matchType == KnownName.matches {
                    for key in keys where key.withBytes(RegexRisk.hasManyStars) {
                        warning(.matchesManyWildcards(key.text), at: key)
                    }
                }
            }
        }
        if use.definition.features.contains(.headerIndex), indexAt >= 0,
            storage.arguments[base + indexAt + 1].kind == .number,
            storage.numbers[Int(storage.arguments[base + indexAt + 1].first)] == 0
        {
            error(.indexZero(command: "\(use.definition.name) \(kindText)"), at: storage.arguments[base + indexAt + 1])
        }
        if use.definition.features.contains(.headerIndex), lastAt >= 0, indexAt < 0 {
            error(.lastWithoutIndex(command: use.definition.name), at: storage.arguments[base + lastAt])
        }
        if use.definition.features.contains(.mimeHeader), hasMime { Mime.check(use, self) }
        _ = kindText
    }
}
