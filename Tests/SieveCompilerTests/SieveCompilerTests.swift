import Testing

@testable import SieveCompiler

@Suite("SieveCompiler API: includes and activation")
struct SieveCompilerTests {
    @Test("includes are reported; a missing one is a warning at upload and an error when strict")
    func includes() {
        let script = "require \"include\";\ninclude \"lib\";\ninclude :global \"g\";\ninclude :optional \"maybe\";"
        let upload = compile(script, includeExists: { _ in false })
        #expect(upload.isValid)
        #expect(upload.includes.map(\.name) == ["lib", "g", "maybe"])
        #expect(upload.includes[1].isGlobal)
        #expect(upload.includes[2].optional)
        #expect(upload.warnings.map(\.line) == [2, 3])
        let strict = compile(script, includeExists: { $0.isGlobal }, strictIncludes: true)
        #expect(strict.errors.map(\.message) == ["included script 'lib' does not exist"])
        #expect(compile(script).diagnostics.isEmpty)
    }

    @Test("activation compiles included scripts and finds cycles")
    func activation() {
        let scripts: [String: String] = [
            "a": "require \"include\";\ninclude \"b\";",
            "b": "require \"include\";\nkeep;\ninclude \"a\";",
            "broken": "keep",
            "top": "require \"include\";\ninclude \"broken\";\ninclude \"none\";",
            "self": "require \"include\";\ninclude \"self\";",
        ]
        let compiler = SieveCompiler(options: CompileOptions(extensions: .all))
        func load(_ name: String) -> [UInt8]? { scripts[name].map { Array($0.utf8) } }
        let cycle = compiler.checkForActivation(Array(scripts["a"]!.utf8), named: "a", load: load)
        #expect(
            cycle.errors.map(\.wireText) == ["in included script 'b': line 3: error: circular include of script 'a'"])
        let top = compiler.checkForActivation(Array(scripts["top"]!.utf8), named: "top", load: load)
        #expect(
            top.errors.map(\.wireText) == [
                "in included script 'broken': line 1: error: expected end of command ';' or the beginning of a compound block '{', but found end of file",
                "line 3: error: included script 'none' does not exist",
            ])
        let selfInclude = compiler.checkForActivation(Array(scripts["self"]!.utf8), named: "self", load: load)
        #expect(selfInclude.errors.map(\.message) == ["circular include of script 'self'"])
    }

    @Test("include depth is bounded")
    func depth() {
        let compiler = SieveCompiler(options: CompileOptions(extensions: .all))
        let result = compiler.checkForActivation(Array("require \"include\"; include \"s1\";".utf8), named: "s0") {
            name in
            let n = Int(name.dropFirst())!
            return Array("require \"include\"; include \"s\(n + 1)\";".utf8)
        }
        #expect(result.errors.contains { $0.message.contains("deeper than 10") })
    }

    @Test("the number of included scripts is bounded")
    func includeCount() {
        let compiler = SieveCompiler(options: CompileOptions(extensions: .all))
        var top = "require \"include\";\n"
        for i in 0..<300 { top += "include \"s\(i)\";\n" }
        let result = compiler.checkForActivation(Array(top.utf8), named: "top") { _ in Array("keep;".utf8) }
        #expect(result.errors.map(\.message) == ["more than 255 scripts are included"])
    }

    @Test("the compiler is usable from concurrent tasks")
    func concurrent() async {
        let compiler = SieveCompiler(options: CompileOptions())
        await withTaskGroup(of: Bool.self) { group in
            for i in 0..<8 {
                group.addTask { compiler.compile(Array("keep; # \(i)\n".utf8)).isValid }
            }
            for await valid in group { #expect(valid) }
        }
    }
}
