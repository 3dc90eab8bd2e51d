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

    struct Entry {
        var definition: CommandDefinition
        var owner: String?
    }
    /// A command or test name resolved given the current requires, with the tags it then accepts
    /// (computed on first use).
    final class Resolved {
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
    let commands: [String: [Entry]]
    let contributedTags: [(tag: TagDefinition, owner: String)]
    /// Lookups by name id (`NameTable`), valid while `generation` is unchanged (requires change it).
    @exclusivity(unchecked) var commandSlots: [Resolved?]
    @exclusivity(unchecked) var testSlots: [Resolved?]
    @exclusivity(unchecked) var generation = 0
    /// Whether variables / encoded-character are required (hot in checkStrings).
    @exclusivity(unchecked) private(set) var hasVariables = false
    @exclusivity(unchecked) private(set) var hasEncodedCharacter = false
    @exclusivity(unchecked) private(set) var hasMime = false
    /// Whether encoded-character decoding changed any string of the script.
    let hasDecodings: Bool
    /// Commands enclosing the current node (innermost last).
    var enclosingCommands: [EnclosingCommand] { enclosingNodes.map { EnclosingCommand($0, in: storage) } }
    @exclusivity(unchecked) var enclosingNodes: [Node] = []
    /// Names of variables the script declares (`set`, etc.).
    @exclusivity(unchecked) var declaredVariables: Set<String> = []
    /// Variables used (read or assigned) as local ones so far, and those declared with `global`.
    @exclusivity(unchecked) var localVariables: Set<String> = []
    @exclusivity(unchecked) var globalVariables: Set<String> = []
    @exclusivity(unchecked) var redirectCount = 0
    /// The plain variable name (as written) `checkAssignable` declared last (empty: none).
    @exclusivity(unchecked) var lastAssigned: [UInt8] = []
    /// The expanded size of the regular expressions checked so far (RegexRisk.expandedSize).
    @exclusivity(unchecked) var regexWork = 0
    /// The estimated regcomp memory of the regular expressions checked so far (RegexRisk.compileCost).
    @exclusivity(unchecked) var regexCompileWork = 0

    /// The command or test being checked (for messages).
    var currentCommand: String { tree.names.name(currentNameID) }
    @exclusivity(unchecked) var currentNameID: Int32 = 0
    var redirectWarned = false

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

    func validateScript() {
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
    var firstRedirect: Node?
    /// The tag table of commands written without tags.
    let noTags = TagTable([])

    /// The comparators the script may name (with the current requires).
    var knownComparators: [String] {
        if knownComparatorsGeneration != generation {
            knownComparatorsCache =
                ["i;octet", "i;ascii-casemap"]
                + ExtensionRegistry.all.filter { requires($0.name) }.flatMap(\.comparators)
            knownComparatorsGeneration = generation
        }
        return knownComparatorsCache
    }
    var knownComparatorsCache: [String] = []
    var knownComparatorsGeneration = -1

    func noteRedirect(_ node: Node) {
        redirectCount += 1
        if firstRedirect == nil { firstRedirect = node }
    }

    func validateRequire(_ node: Node) {
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
    func validateBlock(first: Int32) {
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

    @discardableResult
    func validateCommand(_ node: Node, previous: Int32) -> Bool? {
        if node.nameID == KnownName.require {
            error(.requireNotAtTop, at: node)
            return nil
        }
        return validateCommand(node, previous: previous, resolved: lookup(node.nameID, kind: .command))
    }

    func validateCommand(_ node: Node, previous: Int32, resolved: Resolved) -> Bool? {
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
        checkUse(def, node: node, resolved: resolved, kind: .command)
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

    /// What a command and a test are checked for alike once resolved: their subtests, their arguments against
    /// the definition (then the shared checks and the extension's own), and their strings.
    @inline(__always)
    func checkUse(_ def: CommandDefinition, node: Node, resolved: Resolved, kind: CommandDefinition.Kind) {
        checkSubtests(def, node: node, kind: kind)
        currentNameID = node.nameID
        if let use = matchArguments(def, node: node, resolved: resolved) {
            checkCommon(use)
            def.check?(use, self)
        }
        checkStrings(node)
    }

    @inline(__always)
    func checkSubtests(_ def: CommandDefinition, node: Node, kind: CommandDefinition.Kind) {
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
    func validateTest(_ node: Node) -> Bool? {
        if sink.isFull { return nil }
        return validateTest(node, resolved: lookup(node.nameID, kind: .test))
    }

    func validateTest(_ node: Node, resolved: Resolved) -> Bool? {
        guard let def = resolved.definition, resolved.available else {
            unknownName(node, kind: .test, entry: resolved.entry, wrongKind: resolved.wrongKind)
            return nil
        }
        var constant: Bool? = nil
        if node.nameID == KnownName.ihave { constant = noteIhave(node) }
        checkUse(def, node: node, resolved: resolved, kind: .test)
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

}
