// RFC 5228 §8.2 (grammar): the syntax tree the parser builds and the validator checks.

/// A string literal as written (decoded), with its position.
struct StringLiteral: Sendable {
    var bytes: [UInt8]
    var line: Int
    var column: Int
    var isMultiline: Bool = false
    /// What encoded-character decoding left behind (rare: kept out of line so literals stay small).
    var decoding: Decoding? = nil

    final class Decoding: Sendable {
        /// The string as written.
        let raw: [UInt8]
        /// An out-of-range `${unicode:…}` value, if any.
        let invalidUnicode: String?
        init(raw: [UInt8], invalidUnicode: String?) {
            self.raw = raw
            self.invalidUnicode = invalidUnicode
        }
    }

    /// Set when encoded-character decoding met an out-of-range `${unicode:…}` value.
    var invalidUnicode: String? { decoding?.invalidUnicode }

    /// The string as written: Pigeonhole checks variable names before decoding encoded characters.
    var written: [UInt8] { decoding?.raw ?? bytes }

    var text: String { String(decoding: bytes, as: UTF8.self) }

    /// RFC 5228 §2.4.2.4: replaces `${hex:…}`/`${unicode:…}`, remembering the original.
    mutating func decodeEncodedCharacters() {
        let decoded = VariableSyntax.decodeEncodedCharacters(bytes)
        let invalid = VariableSyntax.invalidUnicodeEncoding(bytes)
        guard decoded != bytes || invalid != nil else { return }
        decoding = Decoding(raw: bytes, invalidUnicode: invalid)
        bytes = decoded
    }
}

/// argument = string-list / number / tag
struct Argument: Sendable {
    enum Value: Sendable {
        case string(StringLiteral)
        case stringList([StringLiteral])
        case number(UInt64)
        case tag(String)
    }
    var value: Value
    var line: Int
    var column: Int
    /// For a tag: its interned name (`NameTable`), so tag lookups compare integers.
    var nameID: Int32 = -1

    var tagName: String? { if case .tag(let t) = value { return t } else { return nil } }
    /// Whether this is a tag (without copying its name).
    var isTag: Bool { if case .tag = value { return true } else { return false } }
    var strings: [StringLiteral]? {
        switch value {
        case .string(let s): return [s]
        case .stringList(let l): return l
        case .number, .tag: return nil
        }
    }
    var typeName: String {
        switch value {
        case .string: return "string"
        case .stringList: return "string list"
        case .number: return "number"
        case .tag(let t): return "tag ':\(t)'"
        }
    }
}

/// command = identifier arguments (";" / block);  test = identifier arguments
///
/// A record in `SyntaxTree.nodes`: no references, so the tree is a few flat arrays that are freed in one
/// go (no per-node object, no recursive deinit). Lists of commands (a block, the script) and of tests
/// are chained through `next`.
struct Node: Sendable {
    /// The interned name (`SyntaxTree.names`).
    var nameID: Int32
    var line: Int
    var column: Int
    /// The arguments are `SyntaxTree.arguments[argumentStart ..< argumentStart + argumentCount]`.
    var argumentStart: Int32
    var argumentCount: Int32 = 0
    /// The first test (-1: none) and how many tests there are.
    var firstTest: Int32 = -1
    var testCount: Int32 = 0
    /// The first command of the block (-1: none or an empty block).
    var firstChild: Int32 = -1
    /// false when the command ends with ";".
    var hasBlock = false
    /// Whether the tests were written as a test-list "( … )".
    var hasTestList = false
    /// The next command of the same block, or the next test of the same test list (-1: last).
    var next: Int32 = -1
}

/// The parsed script: node records, every argument in one array, and the names they use.
struct SyntaxTree: Sendable {
    var nodes: [Node] = []
    var arguments: [Argument] = []
    var names = NameTable()
    /// The first top-level command (-1: empty script).
    var first: Int32 = -1

    func name(of node: Node) -> String { names.name(node.nameID) }

    func arguments(of node: Node) -> ArgumentList {
        ArgumentList(storage: arguments, base: Int(node.argumentStart), count: Int(node.argumentCount))
    }

    /// The nodes of a chain starting at `first` (for tests and rare paths: the validator walks by index).
    func chain(from first: Int32) -> [Node] {
        var result: [Node] = []
        var i = first
        while i >= 0 {
            result.append(nodes[Int(i)])
            i = nodes[Int(i)].next
        }
        return result
    }

    var topLevel: [Node] { chain(from: first) }
    func tests(of node: Node) -> [Node] { chain(from: node.firstTest) }
    func block(of node: Node) -> [Node]? { node.hasBlock ? chain(from: node.firstChild) : nil }

    /// RFC 5228 §2.4.2.4: once `require "encoded-character"` is known, every string is decoded before
    /// validation looks at it. Like before the flat tree, each top-level `require` naming it (when the
    /// server enables it) decodes once.
    mutating func decodeEncodedCharacters(enabled: ExtensionSet) {
        var i = first
        var passes = 0
        while i >= 0 {
            let node = nodes[Int(i)]
            i = node.next
            guard node.nameID == KnownName.require, node.argumentCount > 0 else { continue }
            for s in arguments[Int(node.argumentStart)].strings ?? []
            where s.text == "encoded-character" && enabled.contains(s.text) {
                passes += 1
            }
        }
        for _ in 0..<passes {
            for k in arguments.indices {
                switch arguments[k].value {
                case .string(var s):
                    s.decodeEncodedCharacters()
                    arguments[k].value = .string(s)
                case .stringList(var list):
                    for n in list.indices { list[n].decodeEncodedCharacters() }
                    arguments[k].value = .stringList(list)
                case .number, .tag: break
                }
            }
        }
    }
}

/// Some arguments of one node, indexed from 0: a view into `SyntaxTree.arguments` (no copy).
struct ArgumentList: RandomAccessCollection, Sendable {
    let storage: [Argument]
    let base: Int
    let count: Int

    init(storage: [Argument], base: Int, count: Int) {
        self.storage = storage
        self.base = base
        self.count = count
    }

    var startIndex: Int { 0 }
    var endIndex: Int { count }
    subscript(position: Int) -> Argument { storage[base + position] }

    /// The arguments from `position` on (a view).
    func suffix(from position: Int) -> ArgumentList {
        ArgumentList(storage: storage, base: base + position, count: count - position)
    }
}
