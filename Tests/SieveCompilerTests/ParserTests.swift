import Testing

@testable import SieveCompiler

@Suite("Parser")
struct ParserTests {
    /// A node of the flat syntax tree with its lists resolved, for assertions.
    struct TreeNode {
        var name: String
        var arguments: [Argument]
        var tests: [TreeNode]
        var hasTestList: Bool
        var block: [TreeNode]?
        var line: Int

        init(_ node: Node, in tree: SyntaxTree, _ storage: ArgumentStorage) {
            name = tree.name(of: node)
            arguments = Array(ArgumentList(node, in: storage))
            tests = tree.tests(of: node).map { TreeNode($0, in: tree, storage) }
            hasTestList = node.hasTestList
            block = tree.block(of: node)?.map { TreeNode($0, in: tree, storage) }
            line = node.line
        }
    }

    static func parse(_ source: String, maxErrors: Int = 5) -> ([TreeNode], [Diagnostic]) {
        let sink = DiagnosticSink(maxErrors: maxErrors)
        var parser = Parser(bytes: Array(source.utf8), limits: CompileLimits(), sink: sink)
        let tree = parser.parseScript()
        let storage = tree.storage()
        return (tree.topLevel.map { TreeNode($0, in: tree, storage) }, sink.diagnostics)
    }

    @Test("builds commands, tests, arguments and blocks")
    func tree() {
        let (nodes, diagnostics) = Self.parse(
            "require [\"fileinto\"];\nif anyof (header :is \"a\" \"b\", not true) { fileinto \"x\"; stop; }\nelse { keep; }"
        )
        #expect(diagnostics.isEmpty)
        #expect(nodes.map(\.name) == ["require", "if", "else"])
        let ifNode = nodes[1]
        #expect(ifNode.tests.count == 1)
        #expect(ifNode.tests[0].name == "anyof")
        #expect(ifNode.tests[0].hasTestList)
        #expect(ifNode.tests[0].tests.map(\.name) == ["header", "not"])
        #expect(ifNode.tests[0].tests[0].arguments.count == 3)
        #expect(ifNode.block?.map(\.name) == ["fileinto", "stop"])
        #expect(ifNode.line == 2)
        #expect(nodes[2].block?.map(\.name) == ["keep"])
        #expect(nodes[0].block == nil)
        #expect(ifNode.tests[0].tests[0].arguments.map(\.tagName) == ["is", nil, nil])
        #expect(ifNode.tests[0].tests[0].arguments[1].strings?.map(\.text) == ["a"])
        #expect(nodes[0].arguments[0].strings?.map(\.text) == ["fileinto"])
    }

    @Test(
        "syntax errors",
        arguments: [
            ("keep", "expected end of command ';' or the beginning of a compound block '{', but found end of file"),
            ("keep;;", "expected command, but found ';'"),
            ("if true { keep; ", "expected end of compound block '}', but found end of file"),
            ("keep; }", "unexpected '}' found at (the presumed) end of file"),
            ("keep [];", "expected string after '[' in string list, but found ']'"),
            ("keep [\"a\",];", "expected string after ',' in string list"),
            ("if anyof() { keep; }", "expected test identifier after '(' in test list"),
            ("if true,false {keep;}", "but found ','"),
        ])
    func errors(source: String, message: String) {
        let (_, diagnostics) = Self.parse(source)
        #expect(
            diagnostics.first?.message.hasPrefix(message) == true
                || diagnostics.first?.message.hasSuffix(message) == true,
            "\(diagnostics.map(\.message))")
    }

    @Test("recovers at ';' and '}' and reports several errors")
    func recovery() {
        let source = "keep \"a\" [ ;\nstop;\nif true { discard ( ; }\nkeep;;\nfoo ]\n"
        let (nodes, diagnostics) = Self.parse(source)
        #expect(diagnostics.count == 4)
        #expect(diagnostics.map(\.line) == [1, 3, 4, 5])
        #expect(nodes.map(\.name).contains("stop"))
    }

    @Test("stops at maxErrors")
    func maxErrors() {
        let (_, diagnostics) = Self.parse(String(repeating: "keep;;\n", count: 20), maxErrors: 3)
        #expect(diagnostics.count == 3)
    }

    @Test("31 nested blocks pass, 32 fail")
    func nesting() {
        func nested(_ n: Int) -> String {
            String(repeating: "if true {", count: n) + "keep;" + String(repeating: "}", count: n)
        }
        #expect(Self.parse(nested(31)).1.isEmpty)
        #expect(Self.parse(nested(32)).1.first?.message == "cannot nest command blocks deeper than 32 levels")
    }

    @Test("tests nest 31 deep, not 32")
    func testNesting() {
        func nots(_ n: Int) -> String { "if " + String(repeating: "not ", count: n) + "true {keep;}" }
        #expect(Self.parse(nots(30)).1.isEmpty)
        #expect(Self.parse(nots(31)).1.first?.message == "cannot nest tests deeper than 32 levels")
        func allofs(_ n: Int) -> String {
            "if " + String(repeating: "allof(", count: n) + "true" + String(repeating: ")", count: n) + " {keep;}"
        }
        #expect(Self.parse(allofs(30)).1.isEmpty)
        #expect(!Self.parse(allofs(31)).1.isEmpty)
    }
}
