import Testing

@testable import SieveCompiler

@Suite("Syntax tree")
struct SyntaxTreeTests {
    static func parse(_ source: String) -> (SyntaxTree, ArgumentStorage, [Diagnostic]) {
        let sink = DiagnosticSink(maxErrors: 5)
        var parser = Parser(bytes: Array(source.utf8), limits: CompileLimits(), sink: sink)
        let tree = parser.parseScript()
        return (tree, tree.storage(), sink.diagnostics)
    }

    @Test("plain strings are spans of the script; escaped and multi-line ones are decoded into the pool")
    func stringSpans() {
        let (tree, storage, diagnostics) = Self.parse("keep \"plain\" \"a\\\"b\" text:\nx\n.\n;")
        #expect(diagnostics.isEmpty)
        #expect(tree.strings.count == 3)
        #expect(!tree.strings[0].span.inPool)
        #expect(tree.strings[1].span.inPool)
        #expect(tree.strings[2].span.inPool && tree.strings[2].span.isMultiline)
        #expect((0..<3).map { storage.literal($0).text } == ["plain", "a\"b", "x\n"])
        #expect(storage.literal(1).bytes == Array("a\"b".utf8))
    }

    @Test("a string remembers whether it has a '$' (no '$', no variable reference)")
    func dollar() {
        let (tree, storage, _) = Self.parse("keep \"abc\" \"${x}\" \"a\\$b\" [\"$\", \"z\"];")
        #expect(tree.strings.map(\.span.hasDollar) == [false, true, true, true, false])
        #expect(storage.literal(0).mayContainReference == false)
        #expect(storage.literal(1).mayContainReference)
    }

    @Test("identifiers and tags are interned lower-cased; known names have fixed ids")
    func interning() {
        let (tree, storage, _) = Self.parse("IF true { Keep; } if TRUE { keep :Copy; }")
        let top = tree.topLevel
        #expect(top.map(\.nameID) == [KnownName.if, KnownName.if])
        let blocks = top.compactMap { tree.block(of: $0)?.first }
        #expect(blocks.count == 2)
        #expect(blocks[0].nameID == blocks[1].nameID)
        #expect(tree.name(of: blocks[0]) == "keep")
        #expect(tree.tests(of: top[1]).map(\.nameID) == [KnownName.true])
        let tag = ArgumentList(blocks[1], in: storage)[0]
        #expect(tag.tagName == "copy")
        #expect(NameTable.global.names[Int(KnownName.comparator)] == "comparator")
        #expect(NameTable.global.names[Int(KnownName.last)] == "last")
    }

    @Test("a node's arguments are contiguous even when its tests have arguments of their own")
    func contiguousArguments() {
        let (tree, storage, _) = Self.parse("if header :is [\"a\", \"b\"] \"c\" { fileinto :copy \"x\"; }")
        let ifNode = tree.topLevel[0]
        #expect(ifNode.argumentCount == 0)
        let header = tree.tests(of: ifNode)[0]
        let arguments = ArgumentList(header, in: storage)
        #expect(arguments.count == 3)
        #expect(arguments[1].strings?.map(\.text) == ["a", "b"])
        #expect(arguments[2].strings?.map(\.text) == ["c"])
        let fileinto = tree.block(of: ifNode)![0]
        #expect(ArgumentList(fileinto, in: storage).map(\.typeName) == ["tag ':copy'", "string"])
    }

    @Test("encoded-character decoding keeps the string as written for variable-name checks")
    func decoding() {
        var (tree, _, _) = Self.parse("require \"encoded-character\"; keep \"${hex:41 42}\" \"plain\";")
        tree.decodeEncodedCharacters(enabled: .all)
        let storage = tree.storage()
        let decoded = storage.literal(1)
        #expect(decoded.text == "AB")
        #expect(decoded.written == Array("${hex:41 42}".utf8))
        #expect(storage.literal(2).decoding == nil)
    }

    @Test("an empty string list literal is the empty list")
    func emptyList() {
        let empty: StringList = []
        #expect(empty.isEmpty)
        let (_, storage, _) = Self.parse("keep 1;")
        #expect(storage.argument(0).strings == nil)
    }

    @Test("records are packed (node 36, argument 16, string 20 bytes) and their packed fields stay apart")
    func packedRecords() {
        #expect(MemoryLayout<Node>.stride == 36)
        #expect(MemoryLayout<ArgumentRecord>.stride == 16)
        #expect(MemoryLayout<StringRecord>.stride == 20)
        var node = Node(nameID: 3, line: Int(Int32.max) - 1, column: 7, argumentStart: 5)
        node.hasBlock = true
        node.argumentCount = Int32.max - 2
        node.hasTestList = true
        node.testCount = 4
        node.hasDollar = true
        #expect(node.line == Int(Int32.max) - 1 && node.argumentCount == Int32.max - 2 && node.testCount == 4)
        #expect(node.hasBlock && node.hasTestList && node.hasDollar)
        node.hasBlock = false
        node.testCount = 9
        #expect(!node.hasBlock && node.hasDollar && node.testCount == 9 && node.line == Int(Int32.max) - 1)
        var argument = ArgumentRecord(kind: .stringList, line: 2, column: 3, first: 4, count: (1 << 30) - 1)
        #expect(argument.kind == .stringList && argument.count == (1 << 30) - 1)
        argument.kind = .tag
        argument.count = 5
        #expect(argument.kind == .tag && argument.count == 5 && argument.line == 2 && argument.column == 3)
        let span = StringSpan(start: Int(Int32.max) - 3, end: Int(Int32.max) - 1, inPool: true, isMultiline: false)
        var string = StringRecord(span: span, line: 11, column: 12)
        #expect(string.span == span && string.line == 11 && string.decoding == -1)
        string.decoding = 3
        string.span = StringSpan(start: 1, end: 2, inPool: false, isMultiline: true, hasDollar: false)
        #expect(string.span.isMultiline && !string.span.inPool && !string.span.hasDollar && string.span.end == 2)
        #expect(string.line == 11 && string.column == 12 && string.decoding == 3)
    }
}
