// RFC 5228 §8.2 (grammar): the syntax tree the parser builds and the validator checks.

/// A string literal as written (decoded), with its position: a view of one string of the tree, whose
/// bytes are copied only when `bytes` is asked for (`withBytes` and `text` read them in place).
struct StringLiteral: Sendable {
    let storage: ArgumentStorage
    /// The string's index in `storage.strings`.
    let index: Int32
    var line: Int
    var column: Int
    var isMultiline: Bool
    /// Where what encoded-character decoding left behind is in `storage.decodings` (-1: nothing; rare). An
    /// index rather than a reference: a literal then holds one reference only.
    private let decodingIndex: Int32
    /// What encoded-character decoding left behind.
    var decoding: Decoding? { decodingIndex < 0 ? nil : storage.decodings[Int(decodingIndex)] }
    /// false when the bytes have no "$" (then they hold no variable reference).
    var mayContainReference: Bool

    init(
        storage: ArgumentStorage, index: Int, line: Int, column: Int, isMultiline: Bool, decoding: Decoding?,
        mayContainReference: Bool
    ) {
        let found = decoding.flatMap { d in storage.decodings.firstIndex { $0 === d } }
        self.init(
            storage: storage, index: index, line: line, column: column, isMultiline: isMultiline,
            decodingIndex: Int32(found ?? -1), mayContainReference: mayContainReference)
    }

    init(
        storage: ArgumentStorage, index: Int, line: Int, column: Int, isMultiline: Bool, decodingIndex: Int32,
        mayContainReference: Bool
    ) {
        self.storage = storage
        self.index = Int32(index)
        self.line = line
        self.column = column
        self.isMultiline = isMultiline
        self.decodingIndex = decodingIndex
        self.mayContainReference = mayContainReference
    }

    /// A copy of the (decoded) bytes.
    var bytes: [UInt8] { storage.withBytes(ofString: Int(index)) { Array($0) } }

    /// Runs `body` over the (decoded) bytes, without copying them.
    func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R { storage.withBytes(ofString: Int(index), body) }

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

    var text: String { withBytes { String(decoding: $0, as: UTF8.self) } }
}

/// argument = string-list / number / tag
///
/// The form extension checks see: made on demand from the tree's `ArgumentRecord`s (`ArgumentList`).
struct Argument: Sendable {
    enum Value: Sendable {
        case string(StringLiteral)
        case stringList(StringList)
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
    var strings: StringList? {
        switch value {
        case .string(let s): return StringList(storage: s.storage, first: Int(s.index), count: 1)
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

/// The strings of a string list (or the one string of a string argument), read from the tree on demand: a
/// view, so handing a list to a check allocates nothing.
struct StringList: RandomAccessCollection, ExpressibleByArrayLiteral, Sendable {
    private let storage: ArgumentStorage?
    private let first: Int
    let count: Int

    init(storage: ArgumentStorage, first: Int, count: Int) {
        self.storage = storage
        self.first = first
        self.count = count
    }

    /// Only the empty list (`list ?? []`).
    init(arrayLiteral elements: StringLiteral...) {
        precondition(elements.isEmpty, "a StringList literal must be empty")
        storage = nil
        first = 0
        count = 0
    }

    var startIndex: Int { 0 }
    var endIndex: Int { count }
    subscript(position: Int) -> StringLiteral {
        precondition(position >= 0 && position < count, "StringList index out of range")
        return storage!.literal(first + position)
    }
}

/// command = identifier arguments (";" / block);  test = identifier arguments
///
/// A record in `SyntaxTree.nodes`. Nodes, arguments and strings are plain records in flat arrays (no
/// references), so the tree costs a few allocations and is freed in one go: no per-node object, no
/// recursive deinit. Lists of commands (a block, the script) and of tests are chained through `next`.
///
/// Positions are stored in 32 bits (the compiler refuses scripts of 2 GiB and more) to keep the records,
/// and so the pages a big script touches, small.
struct Node: Sendable {
    /// The interned name (`SyntaxTree.names`).
    var nameID: Int32
    // The three flags ride in the top bits of the line and the two counts (all below 2^31: scripts of
    // 2 GiB and more are refused), so a record is 36 bytes.
    private var line32: UInt32
    private var column32: Int32
    var line: Int { Int(line32 & Node.valueMask) }
    var column: Int { Int(column32) }
    /// The arguments are `SyntaxTree.arguments[argumentStart ..< argumentStart + argumentCount]`.
    var argumentStart: Int32
    private var argumentCount32: UInt32 = 0
    var argumentCount: Int32 {
        get { Int32(bitPattern: argumentCount32 & Node.valueMask) }
        set { argumentCount32 = (argumentCount32 & Node.flagBit) | (UInt32(bitPattern: newValue) & Node.valueMask) }
    }
    /// The first test (-1: none) and how many tests there are.
    var firstTest: Int32 = -1
    private var testCount32: UInt32 = 0
    var testCount: Int32 {
        get { Int32(bitPattern: testCount32 & Node.valueMask) }
        set { testCount32 = (testCount32 & Node.flagBit) | (UInt32(bitPattern: newValue) & Node.valueMask) }
    }
    /// The first command of the block (-1: none or an empty block).
    var firstChild: Int32 = -1
    /// false when the command ends with ";".
    var hasBlock: Bool {
        get { line32 & Node.flagBit != 0 }
        set { line32 = (line32 & Node.valueMask) | (newValue ? Node.flagBit : 0) }
    }
    /// Whether the tests were written as a test-list "( … )".
    var hasTestList: Bool {
        get { argumentCount32 & Node.flagBit != 0 }
        set { argumentCount32 = (argumentCount32 & Node.valueMask) | (newValue ? Node.flagBit : 0) }
    }
    /// Whether one of the node's own string arguments has a "$" as parsed (before any encoded-character
    /// decoding): without one, and without decoding, the variable checks have nothing to look at.
    var hasDollar: Bool {
        get { testCount32 & Node.flagBit != 0 }
        set { testCount32 = (testCount32 & Node.valueMask) | (newValue ? Node.flagBit : 0) }
    }
    /// The next command of the same block, or the next test of the same test list (-1: last).
    var next: Int32 = -1

    private static let flagBit: UInt32 = 1 << 31
    private static let valueMask: UInt32 = (1 << 31) - 1

    init(nameID: Int32, line: Int, column: Int, argumentStart: Int32) {
        self.nameID = nameID
        line32 = UInt32(truncatingIfNeeded: line) & Node.valueMask
        column32 = Int32(truncatingIfNeeded: column)
        self.argumentStart = argumentStart
    }
}

/// Where a string literal's bytes are: a range of the script itself (written without escapes or line
/// breaks, the usual case) or of the pool of decoded strings. No copy is made until a check asks.
struct StringSpan: Equatable, Sendable {
    private var start32: Int32
    private var end32: Int32
    var inPool: Bool
    var isMultiline: Bool
    /// Whether the string has a "$" (without one it cannot hold a variable reference: most strings).
    var hasDollar: Bool

    var start: Int { Int(start32) }
    var end: Int { Int(end32) }

    init(start: Int, end: Int, inPool: Bool, isMultiline: Bool, hasDollar: Bool = true) {
        start32 = Int32(truncatingIfNeeded: start)
        end32 = Int32(truncatingIfNeeded: end)
        self.inPool = inPool
        self.isMultiline = isMultiline
        self.hasDollar = hasDollar
    }
}

/// A string literal in the tree.
///
/// Packed in 20 bytes (fewer pages for a big script): positions and lines are below 2^31 (scripts of 2 GiB
/// and more are refused), so the span's three flags ride in the top bits of its start, end and line.
struct StringRecord: Sendable {
    private var start32: UInt32
    private var end32: UInt32
    private var line32: UInt32
    private var column32: Int32
    /// Index in `SyntaxTree.decodings` when encoded-character decoding changed the string, else -1.
    var decoding: Int32 = -1

    private static let flagBit: UInt32 = 1 << 31
    private static let valueMask: UInt32 = (1 << 31) - 1

    var span: StringSpan {
        get {
            StringSpan(
                start: Int(start32 & StringRecord.valueMask), end: Int(end32 & StringRecord.valueMask),
                inPool: start32 & StringRecord.flagBit != 0, isMultiline: end32 & StringRecord.flagBit != 0,
                hasDollar: line32 & StringRecord.flagBit != 0)
        }
        set {
            start32 =
                (UInt32(truncatingIfNeeded: newValue.start) & StringRecord.valueMask)
                | (newValue.inPool ? StringRecord.flagBit : 0)
            end32 =
                (UInt32(truncatingIfNeeded: newValue.end) & StringRecord.valueMask)
                | (newValue.isMultiline ? StringRecord.flagBit : 0)
            line32 = (line32 & StringRecord.valueMask) | (newValue.hasDollar ? StringRecord.flagBit : 0)
        }
    }

    var line: Int { Int(line32 & StringRecord.valueMask) }
    var column: Int { Int(column32) }

    init(span: StringSpan, line: Int, column: Int) {
        start32 = 0
        end32 = 0
        line32 = UInt32(truncatingIfNeeded: line) & StringRecord.valueMask
        column32 = Int32(truncatingIfNeeded: column)
        self.span = span
    }
}

/// An argument in the tree.
struct ArgumentRecord: Sendable {
    enum Kind: UInt8, Sendable { case string, stringList, number, tag }
    private var line32: Int32
    private var column32: Int32
    /// string: its index in `SyntaxTree.strings`; string list: the first one's; tag: the name id; number:
    /// its index in `SyntaxTree.numbers` (rare, so kept out of the record).
    var first: Int32
    /// The kind in the top 2 bits, a string list's count in the other 30 (a list of 2^30 strings would need
    /// a script of 3 GiB, and those are refused): 16-byte records, so fewer pages for a big script.
    private var kindAndCount: UInt32

    var kind: Kind {
        get { unsafeBitCast(UInt8(truncatingIfNeeded: kindAndCount >> 30), to: Kind.self) }
        set { kindAndCount = (kindAndCount & 0x3FFF_FFFF) | (UInt32(newValue.rawValue) << 30) }
    }
    /// string list: how many strings.
    var count: Int32 {
        get { Int32(bitPattern: kindAndCount & 0x3FFF_FFFF) }
        set { kindAndCount = (kindAndCount & 0xC000_0000) | (UInt32(truncatingIfNeeded: newValue) & 0x3FFF_FFFF) }
    }

    var line: Int { Int(line32) }
    var column: Int { Int(column32) }
    var isTag: Bool { kind == .tag }

    init(kind: Kind, line: Int, column: Int, first: Int32 = 0, count: Int32 = 0) {
        line32 = Int32(truncatingIfNeeded: line)
        column32 = Int32(truncatingIfNeeded: column)
        self.first = first
        kindAndCount = (UInt32(kind.rawValue) << 30) | (UInt32(truncatingIfNeeded: count) & 0x3FFF_FFFF)
    }
}

/// The parsed script: node records, every argument and every string literal in one array each, the
/// bytes decoded strings need, and the names they use.
struct SyntaxTree: Sendable {
    var nodes: [Node] = []
    var arguments: [ArgumentRecord] = []
    var strings: [StringRecord] = []
    var numbers: [UInt64] = []
    /// The script (strings without escapes point into it).
    var script: [UInt8] = []
    /// Strings whose bytes differ from what was written (escapes, multi-line, encoded characters).
    var pool: [UInt8] = []
    var decodings: [StringLiteral.Decoding] = []
    var names = NameTable()
    /// The first top-level command (-1: empty script).
    var first: Int32 = -1
    /// The top-level `require` commands, in order (so decoding need not walk the whole top-level chain).
    var topLevelRequires: [Int32] = []

    func name(of node: Node) -> String { names.name(node.nameID) }

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

    func bytes(of span: StringSpan) -> ArraySlice<UInt8> {
        span.inPool ? pool[span.start..<span.end] : script[span.start..<span.end]
    }

    /// RFC 5228 §2.4.2.4: once `require "encoded-character"` is known, every string is decoded before
    /// validation looks at it. As before the tree was flat, each top-level `require` naming it (when the
    /// server enables it) decodes once; the string as written is kept for the variable-name checks.
    mutating func decodeEncodedCharacters(enabled: ExtensionSet) {
        for i in topLevelRequires {
            let node = nodes[Int(i)]
            guard node.nameID == KnownName.require, node.argumentCount > 0 else { continue }
            let argument = arguments[Int(node.argumentStart)]
            guard argument.kind == .string || argument.kind == .stringList else { continue }
            let first = Int(argument.first)
            let count = argument.kind == .string ? 1 : Int(argument.count)
            // The names as they are before this require's passes (an earlier pass may have decoded them).
            let texts = (first..<(first + count)).map { String(decoding: bytes(of: strings[$0].span), as: UTF8.self) }
            for text in texts where text == "encoded-character" && enabled.contains(text) {
                decodeAllStrings()
            }
        }
    }

    private mutating func decodeAllStrings() {
        for k in strings.indices {
            let bytes = Array(bytes(of: strings[k].span))
            let (decoded, invalid) = VariableSyntax.decodeEncodedCharacters(bytes)
            guard decoded != bytes || invalid != nil else { continue }
            strings[k].decoding = Int32(decodings.count)
            decodings.append(StringLiteral.Decoding(raw: bytes, invalidUnicode: invalid))
            let start = pool.count
            pool += decoded
            strings[k].span = StringSpan(
                start: start, end: pool.count, inPool: true, isMultiline: strings[k].span.isMultiline,
                hasDollar: decoded.contains(0x24))
        }
    }

    /// The arguments, frozen for validation.
    func storage() -> ArgumentStorage {
        ArgumentStorage(
            arguments: arguments, strings: strings, numbers: numbers, script: script, pool: pool, decodings: decodings,
            names: names)
    }
}

/// The tree's arguments and strings once parsing (and decoding) is done: shared by every
/// `ArgumentList`, so a view costs one reference.
final class ArgumentStorage: Sendable {
    let arguments: [ArgumentRecord]
    let strings: [StringRecord]
    let numbers: [UInt64]
    let script: [UInt8]
    let pool: [UInt8]
    let decodings: [StringLiteral.Decoding]
    let names: NameTable

    init(
        arguments: [ArgumentRecord], strings: [StringRecord], numbers: [UInt64], script: [UInt8], pool: [UInt8],
        decodings: [StringLiteral.Decoding], names: NameTable
    ) {
        self.arguments = arguments
        self.strings = strings
        self.numbers = numbers
        self.script = script
        self.pool = pool
        self.decodings = decodings
        self.names = names
    }

    /// Runs `body` over the bytes of string `index` (no copy).
    func withBytes<R>(ofString index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let span = strings[index].span
        return (span.inPool ? pool : script).withUnsafeBufferPointer {
            precondition(span.start >= 0 && span.start <= span.end && span.end <= $0.count, "string out of range")
            return body(UnsafeBufferPointer(rebasing: $0[span.start..<span.end]))
        }
    }

    /// String `index` as a `StringLiteral` (a view: no copy of its bytes).
    @inline(__always)
    func literal(_ index: Int) -> StringLiteral {
        let record = strings[index]
        return StringLiteral(
            storage: self, index: index, line: record.line, column: record.column, isMultiline: record.span.isMultiline,
            decodingIndex: record.decoding,
            mayContainReference: record.span.hasDollar)
    }

    /// Argument `index` as an `Argument`.
    func argument(_ index: Int) -> Argument {
        let record = arguments[index]
        let value: Argument.Value
        switch record.kind {
        case .string: value = .string(literal(Int(record.first)))
        case .stringList:
            let first = Int(record.first)
            value = .stringList(StringList(storage: self, first: first, count: Int(record.count)))
        case .number: value = .number(numbers[Int(record.first)])
        case .tag: value = .tag(names.name(record.first))
        }
        return Argument(
            value: value, line: record.line, column: record.column, nameID: record.kind == .tag ? record.first : -1)
    }

    /// How messages name argument `index`'s type.
    func typeName(_ index: Int) -> String {
        let record = arguments[index]
        switch record.kind {
        case .string: return "string"
        case .stringList: return "string list"
        case .number: return "number"
        case .tag: return "tag ':\(names.name(record.first))'"
        }
    }
}

/// Some arguments of one node, indexed from 0: a view into `ArgumentStorage` (no copy until an element
/// is read).
struct ArgumentList: RandomAccessCollection, Sendable {
    let storage: ArgumentStorage
    /// The index of the first argument in `storage.arguments`.
    let base: Int
    let count: Int

    var startIndex: Int { 0 }
    var endIndex: Int { count }
    subscript(position: Int) -> Argument { storage.argument(base + position) }

    /// The record of argument `position` (no copy of its strings).
    func record(_ position: Int) -> ArgumentRecord { storage.arguments[base + position] }

    /// The arguments from `position` on (a view).
    func suffix(from position: Int) -> ArgumentList {
        ArgumentList(storage: storage, base: base + position, count: count - position)
    }
}

extension ArgumentList {
    /// The arguments of `node` (in an extension, so that the memberwise initializer stays).
    init(_ node: Node, in storage: ArgumentStorage) {
        self.init(storage: storage, base: Int(node.argumentStart), count: Int(node.argumentCount))
    }
}
