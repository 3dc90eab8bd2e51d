// What an extension's check receives: the matched command (`CommandUse`), its tags as written
// (`TagUse`) and the commands around it (`EnclosingCommand`), all views of the syntax tree.

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

/// A command whose block is being validated: its name and arguments are made only when a check asks.
struct EnclosingCommand {
    var nameID: Int32
    let arguments: ArgumentList

    init(_ node: Node, in storage: ArgumentStorage) {
        nameID = node.nameID
        arguments = ArgumentList(node, in: storage)
    }

    var name: String { arguments.storage.names.name(nameID) }
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
