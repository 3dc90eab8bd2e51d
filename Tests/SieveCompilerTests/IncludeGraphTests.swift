import Testing

@testable import SieveCompiler

@Suite("IncludeGraph")
struct IncludeGraphTests {
    func graph(_ root: String, _ scripts: [String: String]) -> IncludeGraph {
        IncludeGraph(
            root: root, script: Array(scripts[root]!.utf8),
            compiler: SieveCompiler(options: CompileOptions(extensions: .all)),
            load: { scripts[$0].map { Array($0.utf8) } })
    }

    @Test("direct and transitive includes, each with the first include that reaches it")
    func chain() {
        let g = graph(
            "rules",
            [
                "rules": "require \"include\";\n# x\ninclude :personal \"lists\";\ninclude :global \"admin\";\n",
                "lists": "require \"include\";\ninclude \"vacation\";\n",
                "vacation": "keep;\n",
                "spam": "keep;\n",
            ])
        #expect(g.requires("lists") && g.requires("vacation"))
        #expect(!g.includes("spam") && !g.includes("admin") && !g.includes("rules"))
        #expect(g.reachedBy["vacation"] == IncludeGraph.Edge(includer: "lists", line: 2, optional: false))
        #expect(g.chain(to: "vacation") == ["rules", "lists", "vacation"])
        // The leaf holds no include and is not compiled.
        #expect(g.compiledCount == 2)
    }

    @Test("circular includes end; the root is never its own include")
    func cycles() {
        let g = graph(
            "a",
            [
                "a": "require \"include\";\ninclude \"b\";\n",
                "b": "require \"include\";\ninclude \"c\";\n",
                "c": "require \"include\";\ninclude \"a\";\ninclude \"b\";\n",
            ])
        #expect(g.requires("b") && g.requires("c") && !g.includes("a"))
        #expect(g.chain(to: "c") == ["a", "b", "c"])
        #expect(g.compiledCount == 3)
    }

    @Test(":optional protects nothing, unless another script needs the same one; missing ones are noted")
    func optional() {
        let g = graph(
            "main",
            [
                "main": "require \"include\";\ninclude :optional \"x\";\ninclude :optional \"y\";\ninclude \"z\";\n",
                "x": "keep;\n",
                "y": "keep;\n",
                "z": "require \"include\";\ninclude \"y\";\ninclude \"gone\";\n",
            ])
        #expect(g.includes("x") && !g.requires("x"))
        #expect(g.requires("y") && g.reachedBy["y"]?.includer == "z")
        #expect(g.missing["gone"] == IncludeGraph.Edge(includer: "z", line: 3, optional: false))
        // An optional script's own required include goes with it: not needed by the root.
        let h = graph(
            "main",
            [
                "main": "require \"include\";\ninclude :optional \"a\";\n",
                "a": "require \"include\";\ninclude \"b\";\n",
                "b": "require \"include\";\ninclude \"a\";\n",
            ])
        #expect(!h.requires("a") && h.requires("b"))
    }

    @Test("bounded by the activation check's nesting depth")
    func depth() {
        var scripts: [String: String] = [:]
        for level in 0..<30 { scripts["s\(level)"] = "require \"include\";\ninclude \"s\(level + 1)\";\n" }
        scripts["s30"] = "keep;\n"
        let g = graph("s0", scripts)
        #expect(g.compiledCount == SieveCompiler.maxIncludeDepth)
        #expect(g.includes("s\(SieveCompiler.maxIncludeDepth)") && !g.includes("s\(SieveCompiler.maxIncludeDepth + 1)"))
    }

    @Test("the identifier pre-check: any case, anywhere; absent means no include")
    func mayInclude() {
        #expect(IncludeGraph.mayInclude(Array("INCLUDE \"x\";".utf8)))
        #expect(IncludeGraph.mayInclude(Array("# inClude".utf8)))
        #expect(!IncludeGraph.mayInclude(Array("keep; # includ".utf8)))
        #expect(!IncludeGraph.mayInclude([]))
    }
}
