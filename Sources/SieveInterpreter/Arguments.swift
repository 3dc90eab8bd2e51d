import SieveCompiler

/// A command's or test's arguments split into tags (with the value a tag takes) and positional arguments.
struct Arguments {
    var tags: [String: ScriptArgument?] = [:]
    var tagOrder: [String] = []
    var positional: [ScriptArgument] = []

    /// Tags followed by a value of their own.
    private static let valued: Set<String> = [
        "comparator", "count", "value", "content", "zone", "index", "param", "over", "under", "days", "seconds",
        "subject", "from", "addresses", "handle", "flags", "importance", "options", "message", "method", "id",
        "specialuse", "mailboxid", "first", "header",
    ]

    init(_ arguments: [ScriptArgument]) {
        var i = 0
        while i < arguments.count {
            if case .tag(let name) = arguments[i] {
                tagOrder.append(name)
                if Arguments.valued.contains(name), i + 1 < arguments.count {
                    if case .tag = arguments[i + 1] {
                        tags[name] = .some(nil)
                    } else {
                        tags[name] = .some(arguments[i + 1])
                        i += 1
                    }
                } else {
                    tags[name] = .some(nil)
                }
            } else {
                positional.append(arguments[i])
            }
            i += 1
        }
    }

    func has(_ tag: String) -> Bool { tags[tag] != nil }

    func strings(_ tag: String) -> [[UInt8]]? {
        guard let value = tags[tag], let value else { return nil }
        return Arguments.strings(value)
    }

    func string(_ tag: String) -> [UInt8]? { strings(tag)?.first }

    func number(_ tag: String) -> UInt64? {
        guard let value = tags[tag], case .number(let n)? = value else { return nil }
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
