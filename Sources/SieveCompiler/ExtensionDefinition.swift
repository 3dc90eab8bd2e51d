// The declarative model an extension uses to describe itself (after Pigeonhole's extension
// definitions): commands and tests with their argument shapes as data, tags it adds to other
// commands, comparators, and checks for meaning only. What a check receives is in CommandUse.swift;
// the validator's plain-data tag tables are in TagTable.swift.

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
