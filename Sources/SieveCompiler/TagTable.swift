// The validator's tables for matching tags: a command's accepted tags as `AvailableTag`s and as plain
// data (`TagInfo` records and an index by name id), and where the shared checks' tags were found.

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
