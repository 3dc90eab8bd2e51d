// The declarative model an extension uses to describe itself (after Pigeonhole's extension
// definitions): commands and tests with their argument shapes as data, tags it adds to other
// commands, comparators, and checks for meaning only. For the validator's hot path, a command's accepted
// tags are also kept as plain data (`TagTable`: `TagInfo` records and an index by name id).

/// The type of a positional argument or of a tag's parameter.
enum ArgumentType: Sendable, Equatable {
    case string
    case stringList
    case number
    /// Anything (Pigeonhole ignores trailing arguments of some commands).
    case any

    var name: String {
        switch self {
        case .any: return "argument"
        case .string: return "string"
        case .stringList: return "string list"
        case .number: return "number"
        }
    }
}

/// Capabilities a command or test has, which other extensions attach tags to (a bit set: checked
/// for every command, so no hashing).
struct Feature: OptionSet, Sendable, Hashable {
    let rawValue: UInt8
    /// Takes [COMPARATOR].
    static let comparator = Feature(rawValue: 1 << 0)
    /// Takes [MATCH-TYPE].
    static let matchType = Feature(rawValue: 1 << 1)
    /// Takes [ADDRESS-PART].
    static let addressPart = Feature(rawValue: 1 << 2)
    /// RFC 5260 index: `:index`/`:last`.
    static let headerIndex = Feature(rawValue: 1 << 3)
    /// RFC 5703 `:mime`/`:anychild`.
    static let mimeHeader = Feature(rawValue: 1 << 4)
}

/// Which tags are mutually exclusive: two tags of one group on a command is an error.
enum TagGroup: Sendable, Hashable {
    case matchType
    case comparator
    case addressPart
    case named(String)

    var displayName: String {
        switch self {
        case .matchType: return "MATCH-TYPE"
        case .comparator: return "comparator"
        case .addressPart: return "ADDRESS-PART"
        case .named(let n): return n
        }
    }
}

/// Where a tag contributed by an extension applies.
enum TagTarget: Sendable {
    case commands(Set<String>)
    case feature(Feature)
}

/// A class for the same reason as CommandDefinition: copies are one retain.
final class TagDefinition: Sendable {
    let name: String
    let parameter: ArgumentType?
    let group: TagGroup?
    let target: TagTarget
    /// Whether the tag may be given more than once (Pigeonhole: include's :once and :optional).
    let repeatable: Bool

    init(
        _ name: String, parameter: ArgumentType? = nil, group: TagGroup? = nil, target: TagTarget = .commands([]),
        repeatable: Bool = false
    ) {
        self.repeatable = repeatable
        self.name = name
        self.parameter = parameter
        self.group = group
        self.target = target
    }
}

/// A tag as written on one command, with its parameter (read from the tree when asked for).
struct TagUse {
    var definition: TagDefinition
    let storage: ArgumentStorage
    /// Where the tag and its parameter (-1: none) are in `storage.arguments`.
    let argumentIndex: Int32
    let parameterIndex: Int32
    /// The extension that contributed the tag, nil for core.
    var owner: String?

    var argument: Argument { storage.argument(Int(argumentIndex)) }
    var parameter: Argument? { parameterIndex < 0 ? nil : storage.argument(Int(parameterIndex)) }
}

/// A tag a command accepts given the script's requires.
struct AvailableTag {
    var definition: TagDefinition
    /// The extension that contributed the tag, nil for core.
    var owner: String?
    /// Whether the script required what the tag needs.
    var available: Bool
    /// The tag name's id (`NameTable`).
    var id: Int32

    init(_ definition: TagDefinition, _ owner: String?, _ available: Bool) {
        self.definition = definition
        self.owner = owner
        self.available = available
        id = NameTable.globalID(definition.name) ?? -1
    }
}

/// An accepted tag as plain data (no references), for matching arguments without reference counting.
/// Built once per resolved command, in the same order as its `AvailableTag`s.
struct TagInfo {
    /// The tag name's id (`NameTable`).
    var id: Int32
    /// 0: no group; 1: MATCH-TYPE; 2: comparator; 3: ADDRESS-PART; 4 and up: a named group (4 + the index
    /// of the list's first tag of that group).
    var group: Int32
    var parameter: ArgumentType?
    var available: Bool
    var repeatable: Bool

    static func infos(_ tags: [AvailableTag]) -> [TagInfo] {
        tags.map { tag in
            let group: Int32
            switch tag.definition.group {
            case nil: group = 0
            case .matchType?: group = 1
            case .comparator?: group = 2
            case .addressPart?: group = 3
            case .named(let name)?:
                let first = tags.firstIndex { if case .named(name)? = $0.definition.group { true } else { false } }
                group = 4 + Int32(first ?? 0)
            }
            return TagInfo(
                id: tag.id, group: group, parameter: tag.definition.parameter, available: tag.available,
                repeatable: tag.definition.repeatable)
        }
    }
}

/// The tags a resolved command accepts, as `AvailableTag`s and as plain data; shared by the validator's
/// lookup cache and the uses it hands to checks.
final class TagTable {
    let tags: [AvailableTag]
    let infos: [TagInfo]
    /// The tags' names (`tags[k].definition.name`), for lookups by name without touching the definitions.
    let names: [String]
    /// By name id: the index of the first tag with that id (-1: none); ids past the end have none.
    let indexByID: [Int16]

    init(_ tags: [AvailableTag]) {
        self.tags = tags
        infos = TagInfo.infos(tags)
        names = tags.map(\.definition.name)
        var indexByID = [Int16](repeating: -1, count: Int(tags.map(\.id).max() ?? -1) + 1)
        for (k, tag) in tags.enumerated() where tag.id >= 0 && indexByID[Int(tag.id)] < 0 {
            indexByID[Int(tag.id)] = Int16(k)
        }
        self.indexByID = indexByID
    }

    /// The index of the first tag whose name id is `id`.
    @inline(__always)
    func index(of id: Int32) -> Int? {
        guard id >= 0, Int(id) < indexByID.count else { return nil }
        let k = indexByID[Int(id)]
        return k < 0 ? nil : Int(k)
    }
}

/// Where the tags the shared comparator / match-type / index checks read were written (positions among
/// a command's arguments, -1: not written), found while matching the arguments.
struct CommonTagPositions {
    var comparator: Int32 = -1
    var matchType: Int32 = -1
    /// The match type's name id, and whether it has a parameter (`:value "ge"`).
    var matchTypeID: Int32 = -1
    var matchTypeHasParameter = false
    var index: Int32 = -1
    var last: Int32 = -1
}

/// A command whose block is being validated: its name and arguments are made only when a check asks.
struct EnclosingCommand {
    var nameID: Int32
    let storage: ArgumentStorage
    let argumentBase: Int
    let argumentCount: Int

    init(_ node: Node, in storage: ArgumentStorage) {
        nameID = node.nameID
        self.storage = storage
        argumentBase = Int(node.argumentStart)
        argumentCount = Int(node.argumentCount)
    }

    var name: String { storage.names.name(nameID) }
    var arguments: ArgumentList { ArgumentList(storage: storage, base: argumentBase, count: argumentCount) }
}

/// What the uses of one resolved command share: its definition, the tags it accepts and the tree's storage.
final class CommandContext {
    let definition: CommandDefinition
    let table: TagTable
    let storage: ArgumentStorage

    init(definition: CommandDefinition, table: TagTable, storage: ArgumentStorage) {
        self.definition = definition
        self.table = table
        self.storage = storage
    }
}

/// A command or test after its arguments were matched against its definition: what an extension's check
/// reads. A view of the syntax tree (arguments are read in place, copied only when asked for).
struct CommandUse {
    let node: Node
    /// The definition, tag table and storage, shared by the uses of one resolved command: one reference.
    private let context: CommandContext
    var definition: CommandDefinition { context.definition }
    /// The tags the command accepts (shared with its lookup); empty when it was written without tags.
    var table: TagTable { context.table }
    var accepted: [AvailableTag] { table.tags }
    var storage: ArgumentStorage { context.storage }
    /// Where the arguments are in `storage.arguments`, and how many.
    let argumentBase: Int
    let argumentCount: Int
    /// All arguments: the tags (with their parameters) come first, then `positional`.
    var arguments: ArgumentList { ArgumentList(storage: storage, base: argumentBase, count: argumentCount) }
    /// How many leading arguments are tags and tag parameters.
    let tagArgumentCount: Int
    /// Where the tags the shared checks read are.
    let common: CommonTagPositions

    init(
        node: Node, context: CommandContext, arguments: ArgumentList, tagArgumentCount: Int,
        common: CommonTagPositions = CommonTagPositions()
    ) {
        self.node = node
        self.context = context
        argumentBase = arguments.base
        argumentCount = arguments.count
        self.tagArgumentCount = tagArgumentCount
        self.common = common
    }

    /// Argument record `position` of this use (0 = its first argument).
    @inline(__always)
    private func record(_ position: Int) -> ArgumentRecord { storage.arguments[argumentBase + position] }

    /// The positional arguments (a view into the syntax tree).
    var positional: ArgumentList { arguments.suffix(from: tagArgumentCount) }
    /// How many positional arguments there are.
    var positionalCount: Int { argumentCount - tagArgumentCount }

    /// The strings of positional argument `n` (a string or a string list; none for a number or tag), read
    /// from the tree without making an `Argument`.
    @inline(__always)
    func strings(ofPositional n: Int) -> StringList {
        let record = record(tagArgumentCount + n)
        switch record.kind {
        case .string: return StringList(storage: storage, first: Int(record.first), count: 1)
        case .stringList: return StringList(storage: storage, first: Int(record.first), count: Int(record.count))
        case .number, .tag: return []
        }
    }

    /// Positional argument `n` when it is a single string (not a list).
    func string(ofPositional n: Int) -> StringLiteral? {
        let record = record(tagArgumentCount + n)
        return record.kind == .string ? storage.literal(Int(record.first)) : nil
    }

    /// The tags as written, in order (built on demand: the lookups below read the tree directly).
    var tags: [TagUse] {
        var result: [TagUse] = []
        var k = 0
        while let (use, next) = tagUse(at: k) {
            result.append(use)
            k = next
        }
        return result
    }

    /// The tag whose argument is at `position` (< tagArgumentCount) and the position after it.
    func tagUse(at position: Int) -> (TagUse, Int)? {
        guard let (found, next) = acceptedTag(at: position) else { return nil }
        let index = argumentBase + position
        let use = TagUse(
            definition: found.definition, storage: storage, argumentIndex: Int32(index),
            parameterIndex: next == position + 2 ? Int32(index + 1) : -1, owner: found.owner)
        return (use, next)
    }

    /// The accepted tag written at `position` and the position after it (and its parameter).
    func acceptedTag(at position: Int) -> (AvailableTag, Int)? {
        guard position < tagArgumentCount else { return nil }
        guard let k = table.index(of: record(position).first) else { return nil }
        return (table.tags[k], table.infos[k].parameter == nil ? position + 1 : position + 2)
    }

    /// The position of the first tag that satisfies `predicate`.
    private func firstTag(where predicate: (TagDefinition) -> Bool) -> Int? {
        var k = 0
        while let (found, next) = acceptedTag(at: k) {
            if predicate(found.definition) { return k }
            k = next
        }
        return nil
    }

    // By the accepted tags' names (small strings: compared in place), without hashing `name`.
    func tag(_ name: String) -> TagUse? {
        guard tagArgumentCount > 0, let k = firstTag(named: name) else { return nil }
        return tagUse(at: k)?.0
    }
    func has(_ name: String) -> Bool {
        guard tagArgumentCount > 0 else { return false }
        return firstTag(named: name) != nil
    }

    /// The position of the first tag written whose name is `name`.
    private func firstTag(named name: String) -> Int? {
        var k = 0
        while k < tagArgumentCount, let t = table.index(of: record(k).first) {
            if table.names[t] == name { return k }
            k += table.infos[t].parameter == nil ? 1 : 2
        }
        return nil
    }

    /// Whether positional argument `n` is a single string (then `literal(ofPositional:)` reads it).
    func isString(positional n: Int) -> Bool { record(tagArgumentCount + n).kind == .string }

    /// Positional argument `n`, which must be a single string (`isString(positional:)`).
    func literal(ofPositional n: Int) -> StringLiteral {
        storage.literal(Int(record(tagArgumentCount + n).first))
    }
    /// The first tag of `group`, if any.
    func tag(in group: TagGroup) -> TagUse? {
        guard tagArgumentCount > 0, let k = firstTag(where: { $0.group == group }) else { return nil }
        return tagUse(at: k)?.0
    }
    /// The match type tag, if any.
    var matchType: TagUse? {
        guard tagArgumentCount > 0,
            let k = firstTag(where: {
                if case .matchType? = $0.group { return true } else { return false }
            })
        else { return nil }
        return tagUse(at: k)?.0
    }
    /// The comparator name, if one was given as a constant.
    var comparatorName: String? {
        guard let p = tag("comparator")?.parameter, case .string(let s) = p.value else { return nil }
        return s.text
    }
}

typealias CommandCheck = @Sendable (CommandUse, Validator) -> Void

/// A class so that passing a definition around costs one retain, not one per field.
final class CommandDefinition: Sendable {
    enum Kind: Sendable { case command, test }
    enum Block: Sendable { case none, required }
    enum Subtests: Sendable { case none, one, list }

    let name: String
    let kind: Kind
    /// Accepted positional shapes (several when some positional arguments are optional).
    let signatures: [[ArgumentType]]
    /// Names for positional arguments in messages, by position in the longest signature.
    let argumentNames: [String]
    let tags: [TagDefinition]
    let features: Feature
    let block: Block
    let subtests: Subtests
    let check: CommandCheck?
    /// The most positional arguments any signature takes.
    let maxPositional: Int
    /// For each positional count up to `maxPositional`, the first signature of that length (-1: none).
    let signatureByCount: [Int]

    init(
        _ name: String, _ kind: Kind, _ positional: [ArgumentType] = [], names: [String] = [],
        alternatives: [[ArgumentType]] = [], tags: [TagDefinition] = [], features: Feature = [],
        block: Block = .none, subtests: Subtests = .none, check: CommandCheck? = nil
    ) {
        self.name = name
        self.kind = kind
        let signatures = [positional] + alternatives
        self.signatures = signatures
        var maxPositional = 0
        for signature in signatures { maxPositional = max(maxPositional, signature.count) }
        self.maxPositional = maxPositional
        // Built once per process for every definition: one pass, the first signature of each length.
        var byCount = [Int](repeating: -1, count: maxPositional + 1)
        for (k, signature) in signatures.enumerated() where byCount[signature.count] < 0 {
            byCount[signature.count] = k
        }
        self.signatureByCount = byCount
        self.argumentNames = names
        self.tags = tags
        self.features = features
        self.block = block
        self.subtests = subtests
        self.check = check
    }

    static func command(
        _ name: String, _ positional: [ArgumentType] = [], names: [String] = [], alternatives: [[ArgumentType]] = [],
        tags: [TagDefinition] = [], features: Feature = [], block: Block = .none, subtests: Subtests = .none,
        check: CommandCheck? = nil
    ) -> CommandDefinition {
        CommandDefinition(
            name, .command, positional, names: names, alternatives: alternatives, tags: tags, features: features,
            block: block, subtests: subtests, check: check)
    }

    static func test(
        _ name: String, _ positional: [ArgumentType] = [], names: [String] = [], alternatives: [[ArgumentType]] = [],
        tags: [TagDefinition] = [], features: Feature = [], subtests: Subtests = .none, check: CommandCheck? = nil
    ) -> CommandDefinition {
        CommandDefinition(
            name, .test, positional, names: names, alternatives: alternatives, tags: tags, features: features,
            subtests: subtests, check: check)
    }
}

/// What every extension declares. Each conforming type lives in its own file under Extensions/ and is
/// listed once in `ExtensionRegistry.all`.
protocol SieveExtension: Sendable {
    /// The `require` name and capability word.
    var name: String { get }
    var commands: [CommandDefinition] { get }
    /// Tags this extension adds to commands and tests of other extensions (or of the core).
    var tags: [TagDefinition] { get }
    /// Comparator names this extension provides.
    var comparators: [String] { get }
    /// Extensions that requiring this one also makes available.
    var implies: [String] { get }
    /// Extensions this one cannot be combined with.
    var conflicts: [String] { get }
    /// Extensions that must be required together with this one.
    var dependencies: [String] { get }
    /// Variable namespaces this extension provides (`${env.x}`).
    var namespaces: [String] { get }
    /// Set modifiers this extension provides (for `set`), with their precedence.
    var setModifiers: [(name: String, precedence: Int)] { get }
    /// Whether the extension is deprecated (a warning when required).
    var isDeprecated: Bool { get }
    /// Whether `require` may name it (false for extensions that only exist as capabilities).
    var isRequirable: Bool { get }
}

extension SieveExtension {
    var commands: [CommandDefinition] { [] }
    var tags: [TagDefinition] { [] }
    var comparators: [String] { [] }
    var implies: [String] { [] }
    var conflicts: [String] { [] }
    var dependencies: [String] { [] }
    var namespaces: [String] { [] }
    var setModifiers: [(name: String, precedence: Int)] { [] }
    var isDeprecated: Bool { false }
    var isRequirable: Bool { true }
}

/// Tags shared by many commands.
enum CommonTags {
    static let comparator = TagDefinition(
        "comparator", parameter: .string, group: .comparator, target: .feature(.comparator))
    static let matchTypes: [TagDefinition] = ["is", "contains", "matches"].map {
        TagDefinition($0, group: .matchType, target: .feature(.matchType))
    }
    static let addressParts: [TagDefinition] = ["all", "localpart", "domain"].map {
        TagDefinition($0, group: .addressPart, target: .feature(.addressPart))
    }
    /// [COMPARATOR] [MATCH-TYPE]
    static let matching: Feature = [.comparator, .matchType]
}
