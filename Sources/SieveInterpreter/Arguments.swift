import SieveCompiler

/// A command's or test's arguments split into tags (with the value a tag takes) and positional arguments.
struct Arguments {
    /// Tags in order with the value they take (nil for a tag without one). A node has a handful: a linear
    /// search beats hashing their names.
    var tags: [(name: String, value: ScriptArgument?)] = []
    var positional: [ScriptArgument] = []

    /// Tags followed by a value of their own.
    private static let valued: Set<String> = [
        "comparator", "count", "value", "content", "zone", "index", "param", "over", "under", "days", "seconds",
        "subject", "from", "addresses", "handle", "flags", "importance", "options", "message", "method", "id",
        "specialuse", "mailboxid", "first", "header", "uniqueid",
    ]

    init(_ arguments: [ScriptArgument]) {
        var i = 0
        while i < arguments.count {
            if case .tag(let name) = arguments[i] {
                if Arguments.valued.contains(name), i + 1 < arguments.count {
                    if case .tag = arguments[i + 1] {
                        tags.append((name, nil))
                    } else {
                        tags.append((name, arguments[i + 1]))
                        i += 1
                    }
                } else {
                    tags.append((name, nil))
                }
            } else {
                positional.append(arguments[i])
            }
            i += 1
        }
    }

    func has(_ tag: String) -> Bool { tags.contains { $0.name == tag } }

    private func value(_ tag: String) -> ScriptArgument? { tags.first { $0.name == tag }?.value }

    func strings(_ tag: String) -> [[UInt8]]? { value(tag).map(Arguments.strings) }

    func string(_ tag: String) -> [UInt8]? { strings(tag)?.first }

    func number(_ tag: String) -> UInt64? {
        guard case .number(let n)? = value(tag) else { return nil }
        return n
    }

    func strings(at index: Int) -> [[UInt8]] {
        index < positional.count ? Arguments.strings(positional[index]) : []
    }

    func number(at index: Int) -> UInt64? {
        guard index < positional.count, case .number(let n) = positional[index] else { return nil }
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
