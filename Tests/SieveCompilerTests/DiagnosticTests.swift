import Testing

@testable import SieveCompiler

@Suite("Diagnostics and suggestions")
struct DiagnosticTests {
    @Test("wire and command-line renderings")
    func rendering() {
        let result = compile("require \"fileinto\";\n\n  fileint \"x\";")
        let d = try! #require(result.errors.first)
        #expect(d.line == 3)
        #expect(d.column == 3)
        #expect(d.message == "unknown command 'fileint' (did you mean 'fileinto'?)")
        #expect(d.wireText == "line 3: error: unknown command 'fileint' (did you mean 'fileinto'?)")
        #expect(
            d.render(fileName: "x.sieve") == "x.sieve:3:3: error: unknown command 'fileint' (did you mean 'fileinto'?)")
    }

    @Test(
        "did you mean",
        arguments: [
            ("kep;", "did you mean 'keep'?"),
            ("require \"fileinto\"; filinto \"a\";", "did you mean 'fileinto'?"),
            ("if heder \"a\" \"b\" { keep; }", "did you mean 'header'?"),
            ("if header :contans \"a\" \"b\" { keep; }", "did you mean ':contains'?"),
            ("require \"vacaton\";", "did you mean 'vacation'?"),
            ("require \"Fileinto\";", "did you mean 'fileinto'?"),
        ])
    func suggestions(script: String, fragment: String) {
        let message = compile(script).errors.first?.message ?? ""
        #expect(message.contains(fragment), "\(message)")
    }

    @Test("no suggestion for something far away")
    func noSuggestion() {
        #expect(compile("frobnicate;").errors.first?.message == "unknown command 'frobnicate'")
    }

    @Test("edit distance")
    func distance() {
        #expect(Suggest.distance(Array("kitten".utf8), Array("sitting".utf8)) == 3)
        #expect(Suggest.distance(Array("".utf8), Array("abc".utf8)) == 3)
        #expect(Suggest.closest(to: "stpo", in: ["stop", "keep"]) == "stop")
    }

    @Test("errors and warnings come in source order, errors capped at maxErrors")
    func order() {
        let result = compile("keep;;\nstop;;\ndiscard;;\nkeep;;", maxErrors: 3)
        #expect(result.errors.map(\.line) == [1, 2, 3])
        let mixed = compile("if exists \"a:b\" { keep; }\nkeep :x;")
        #expect(mixed.diagnostics.map(\.severity) == [.warning, .error])
    }
}
