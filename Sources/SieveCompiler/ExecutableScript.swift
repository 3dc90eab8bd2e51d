// The form of a valid script an interpreter executes: built from the syntax tree only when asked for
// (`SieveCompiler.compileForExecution`), so checking a script costs nothing more.

/// An argument as the interpreter sees it: strings decoded (escapes, multi-line, encoded-character), tags
/// lower-cased without their colon, numbers with their K/M/G quantifier applied.
public enum ScriptArgument: Equatable, Sendable {
    case string([UInt8])
    case stringList([[UInt8]])
    case number(UInt64)
    case tag(String)
}

/// A command or a test: its lower-cased name, line, arguments, tests (for `if`, `not`, `allof`, …) and block.
public struct ScriptNode: Sendable {
    public var name: String
    public var line: Int
    public var arguments: [ScriptArgument]
    public var tests: [ScriptNode]
    public var block: [ScriptNode]?
}

/// A valid script's commands, and the extensions it requires at top level.
public struct ExecutableScript: Sendable {
    public var commands: [ScriptNode]
    public var requires: Set<String>
}

extension SyntaxTree {
    /// The executable form (the nesting depth is bounded by the compiler's limits, so the recursion is too).
    func executable() -> ExecutableScript {
        var requires: Set<String> = []
        for i in topLevelRequires {
            let node = nodes[Int(i)]
            for argument in executableArguments(of: node) {
                switch argument {
                case .string(let s): requires.insert(String(decoding: s, as: UTF8.self))
                case .stringList(let l): for s in l { requires.insert(String(decoding: s, as: UTF8.self)) }
                case .number, .tag: break
                }
            }
        }
        return ExecutableScript(commands: executableChain(from: first), requires: requires)
    }

    private func executableChain(from start: Int32) -> [ScriptNode] {
        var count = 0
        var i = start
        while i >= 0 {
            count += 1
            i = nodes[Int(i)].next
        }
        var result: [ScriptNode] = []
        result.reserveCapacity(count)
        i = start
        while i >= 0 {
            let node = nodes[Int(i)]
            result.append(
                ScriptNode(
                    name: names.name(node.nameID), line: node.line, arguments: executableArguments(of: node),
                    tests: executableChain(from: node.firstTest),
                    block: node.hasBlock ? executableChain(from: node.firstChild) : nil))
            i = node.next
        }
        return result
    }

    private func executableArguments(of node: Node) -> [ScriptArgument] {
        var result: [ScriptArgument] = []
        result.reserveCapacity(Int(node.argumentCount))
        let start = Int(node.argumentStart)
        for k in start..<(start + Int(node.argumentCount)) {
            let record = arguments[k]
            switch record.kind {
            case .string: result.append(.string(Array(bytes(of: strings[Int(record.first)].span))))
            case .stringList:
                let first = Int(record.first)
                result.append(
                    .stringList((first..<(first + Int(record.count))).map { Array(bytes(of: strings[$0].span)) }))
            case .number: result.append(.number(numbers[Int(record.first)]))
            case .tag: result.append(.tag(names.name(record.first)))
            }
        }
        return result
    }
}
