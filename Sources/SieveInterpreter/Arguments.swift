import SieveCompiler

/// A command's or test's arguments seen as tags (with the value a tag takes) and positional arguments.
/// A node has a handful, so every question is answered by walking them as written: building the split
/// (two arrays per node evaluated) cost more than all the questions a run asks.
struct Arguments {
    private let all: [ScriptArgument]
    /// Positional arguments the interpreter substitutes (extracttext's set, mark/unmark's flag).
    private var replacedPositional: [ScriptArgument]?

    /// Whether a tag is followed by a value of its own. Asked for most tests and commands evaluated: the
    /// name's length picks the few names to compare (cheaper than hashing it into a set).
    static func takesValue(_ tag: String) -> Bool {
        switch tag.utf8.count {
        case 2: return tag == "id"
        case 4: return tag == "zone" || tag == "over" || tag == "days" || tag == "from"
        case 5:
            return tag == "count" || tag == "value" || tag == "index" || tag == "param" || tag == "under"
                || tag == "flags" || tag == "first"
        case 6: return tag == "handle" || tag == "method" || tag == "header"
        case 7:
            return tag == "content" || tag == "seconds" || tag == "subject" || tag == "options" || tag == "message"
        case 8: return tag == "uniqueid"
        case 9: return tag == "addresses" || tag == "mailboxid"
        case 10: return tag == "comparator" || tag == "importance" || tag == "specialuse"
        default: return false
        }
    }

    init(_ arguments: [ScriptArgument]) {
        all = arguments
    }

    /// The arguments that are neither tags nor a tag's value, in order.
    var positional: [ScriptArgument] {
        get {
            if let replacedPositional { return replacedPositional }
            var result: [ScriptArgument] = []
            forEachPositional { result.append($0) }
            return result
        }
        set { replacedPositional = newValue }
    }

    /// Whether the argument at `i` is a tag's value: it follows a tag that takes one and is not a tag itself.
    private func isTagValue(_ i: Int) -> Bool {
        guard i > 0, case .tag(let name) = all[i - 1] else { return false }
        if case .tag = all[i] { return false }
        return Arguments.takesValue(name)
    }

    /// Whether the argument at `i` is positional: neither a tag nor a tag's value.
    private func isPositional(_ i: Int) -> Bool {
        if case .tag = all[i] { return false }
        return !isTagValue(i)
    }

    private func forEachPositional(_ body: (ScriptArgument) -> Void) {
        for i in all.indices where isPositional(i) { body(all[i]) }
    }

    /// The positional argument at `index` (nil past the end).
    private func positional(at index: Int) -> ScriptArgument? {
        if let replacedPositional { return index < replacedPositional.count ? replacedPositional[index] : nil }
        var k = 0
        for i in all.indices where isPositional(i) {
            if k == index { return all[i] }
            k += 1
        }
        return nil
    }

    func has(_ tag: String) -> Bool {
        all.contains {
            if case .tag(let name) = $0 { return name == tag }
            return false
        }
    }

    /// The value of the first `tag` (nil when absent or without a value).
    private func value(_ tag: String) -> ScriptArgument? {
        for i in all.indices {
            guard case .tag(let name) = all[i], name == tag else { continue }
            return i + 1 < all.count && isTagValue(i + 1) ? all[i + 1] : nil
        }
        return nil
    }

    func strings(_ tag: String) -> [[UInt8]]? { value(tag).map(Arguments.strings) }

    func string(_ tag: String) -> [UInt8]? { strings(tag)?.first }

    func number(_ tag: String) -> UInt64? {
        guard case .number(let n)? = value(tag) else { return nil }
        return n
    }

    func strings(at index: Int) -> [[UInt8]] {
        positional(at: index).map(Arguments.strings) ?? []
    }

    func number(at index: Int) -> UInt64? {
        guard case .number(let n)? = positional(at: index) else { return nil }
        return n
    }

    static func strings(_ argument: ScriptArgument) -> [[UInt8]] {
        switch argument {
        case .string(let s): return [s]
        case .stringList(let l): return l
        case .number(let n): return [Array(String(n).utf8)]
        case .tag: return []
        }
    }
}
