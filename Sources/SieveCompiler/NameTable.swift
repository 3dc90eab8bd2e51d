// Identifiers (command, test and tag names) interned to small integers once, when the lexer first meets
// them, so the parser and validator compare and index by integer instead of hashing or comparing Strings.

/// Names the validator tests for directly; their ids are fixed (they open `NameTable.globalNames`).
enum KnownName {
    static let require: Int32 = 0
    static let `if`: Int32 = 1
    static let elsif: Int32 = 2
    static let `else`: Int32 = 3
    static let stop: Int32 = 4
    static let `true`: Int32 = 5
    static let `false`: Int32 = 6
    static let not: Int32 = 7
    static let allof: Int32 = 8
    static let anyof: Int32 = 9
    static let ihave: Int32 = 10
    static let foreverypart: Int32 = 11
    // Tags the shared comparator / match-type / index checks look for.
    static let comparator: Int32 = 12
    static let contains: Int32 = 13
    static let matches: Int32 = 14
    static let regex: Int32 = 15
    static let value: Int32 = 16
    static let count: Int32 = 17
    static let index: Int32 = 18
    static let last: Int32 = 19

    static let names = [
        "require", "if", "elsif", "else", "stop", "true", "false", "not", "allof", "anyof", "ihave", "foreverypart",
        "comparator", "contains", "matches", "regex", "value", "count", "index", "last",
    ]
}

/// Lower-cased identifier → id. Every name an extension defines has a process-wide id (built once);
/// other identifiers of a script get ids after those, per compile.
struct NameTable: Sendable {
    /// Every command, test and tag name of every extension, known names first.
    static let global: (ids: [String: Int32], names: [String]) = {
        // Room for every name up front: growing the table rehashed it six times, a third of this set-up.
        var ids: [String: Int32] = [:]
        ids.reserveCapacity(1024)
        var names: [String] = []
        names.reserveCapacity(1024)
        func add(_ name: String) {
            guard ids[name] == nil else { return }
            ids[name] = Int32(names.count)
            names.append(name)
        }
        for name in KnownName.names { add(name) }
        var definitions = CoreLanguage.commands
        var tags = CommonTags.matchTypes + CommonTags.addressParts + [CommonTags.comparator]
        for (_, commands, contributed) in ExtensionRegistry.definitions {
            definitions += commands
            tags += contributed
        }
        for def in definitions {
            add(def.name)
            tags += def.tags
        }
        for tag in tags { add(tag.name) }
        return (ids, names)
    }()

    /// The id of a name an extension defines (nil: no extension uses it).
    static func globalID(_ name: String) -> Int32? { global.ids[name] }

    private var localIDs: [String: Int32] = [:]
    private var localNames: [String] = []

    /// How many ids are in use (global and this script's).
    var count: Int { NameTable.global.names.count + localNames.count }

    mutating func intern(_ name: String) -> Int32 {
        if let id = NameTable.global.ids[name] { return id }
        if let id = localIDs[name] { return id }
        let id = Int32(NameTable.global.names.count + localNames.count)
        localIDs[name] = id
        localNames.append(name)
        return id
    }

    func name(_ id: Int32) -> String {
        let globalCount = NameTable.global.names.count
        let i = Int(id)
        return i < globalCount ? NameTable.global.names[i] : localNames[i - globalCount]
    }
}
