import Foundation
import Testing

@testable import SieveCompiler

/// Hostile input must give an error in bounded time and memory, never a crash.
@Suite("Limits against hostile scripts")
struct LimitTests {
    static let big = CompileLimits(maxScriptSize: 64 << 20)

    @Test("100,000 nested blocks")
    func nestedBlocks() {
        let n = 100_000
        let script = String(repeating: "if true {", count: n) + "keep;" + String(repeating: "}", count: n)
        let result = compile(script, limits: Self.big)
        #expect(!result.isValid)
        #expect(result.errors.first?.message == "cannot nest command blocks deeper than 32 levels")
    }

    @Test("a million nested tests")
    func nestedTests() {
        let script = "if " + String(repeating: "not ", count: 1_000_000) + "true { keep; }"
        let result = compile(script, limits: Self.big)
        #expect(result.errors.first?.message == "cannot nest tests deeper than 32 levels")
        let lists =
            "if " + String(repeating: "anyof(", count: 200_000) + "true" + String(repeating: ")", count: 200_000)
        #expect(!compile(lists + "{keep;}", limits: Self.big).isValid)
    }

    @Test("10 MB of garbage stops at maxErrors")
    func garbage() {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<(10 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let options = CompileOptions(extensions: .all, limits: Self.big)
        let result = SieveCompiler(options: options).compile(bytes)
        #expect(!result.isValid)
        #expect(result.errors.count <= 5)
    }

    @Test("a repeated unknown command or tag is reported once and costs no suggestion search each time")
    func repeatedUnknown() {
        let commands = compile(String(repeating: "frobnicat;\n", count: 100_000), limits: Self.big)
        #expect(commands.errors.count == 1)
        let tags = compile(String(repeating: "keep :frobnicat;\n", count: 60_000), limits: Self.big)
        #expect(tags.errors.count == 1)
        let ihaves = compile(
            "require \"ihave\";\n" + String(repeating: "if ihave \"fileinto\" { fileinto \"x\"; }\n", count: 20_000),
            limits: Self.big)
        #expect(ihaves.isValid)
    }

    @Test("a regular expression whose repetitions expand beyond 100,000 elements never reaches regcomp")
    func regexExpansion() {
        let called = Counter()
        let checker: @Sendable (String, Bool) -> String? = { _, _ in
            called.increment()
            return nil
        }
        let bomb = compile(
            "require \"regex\"; if header :regex \"s\" \"((a{1000}){1000}){1000}\" { keep; }", regex: checker)
        #expect(bomb.errors.first?.message.contains("too complex") == true)
        #expect(called.value == 0)
        let fine = compile(
            "require \"regex\"; if header :regex \"s\" \"^[a-z0-9._%+-]+@([a-z0-9-]+\\\\.){1,10}[a-z]{2,63}$\" { keep; }",
            regex: checker)
        #expect(fine.isValid)
        // Within the pure pre-scanner's subset: settled without the checker (regcomp).
        #expect(called.value == 0)
        // Outside it (a collating element): the checker decides.
        let unusual = compile("require \"regex\"; if header :regex \"s\" \"[[.a.]]\" { keep; }", regex: checker)
        #expect(unusual.isValid)
        #expect(called.value == 1)
        #expect(RegexRisk.expandedSize(Array("(a{300}){300}".utf8)) == 90_000)
        #expect(RegexRisk.expandedSize(Array("a[b{]c".utf8)) == 3)
        let many = compile(
            "require \"regex\";\n"
                + String(repeating: "if header :regex \"s\" \"(a{300}){300}\" { keep; }\n", count: 100),
            regex: checker)
        // The compile-cost budget (RegexCostTests) now stops them before their expanded size does.
        let perKey = RegexRisk.compileCost(Array("(a{300}){300}".utf8)).estimatedBytes
        #expect(many.errors.first?.message.contains("too expensive to compile together") == true)
        #expect(many.errors.first?.line == RegexRisk.maxTotalCompileBytes / perKey + 2)
    }

    @Test("unbalanced brackets and braces")
    func brackets() {
        for script in [
            String(repeating: "{", count: 200_000), String(repeating: "}", count: 200_000),
            "keep " + String(repeating: "[", count: 200_000), String(repeating: "(", count: 200_000),
            String(repeating: ";", count: 200_000),
        ] {
            let result = compile(script, limits: Self.big)
            #expect(!result.isValid)
            #expect(result.errors.count <= 5)
        }
    }

    @Test("the script size limit")
    func scriptSize() {
        let script = String(repeating: "keep;\n", count: 200_000)
        let small = compile(script)
        #expect(small.errors.first?.message == "script is too large (max 1048576 bytes)")
        #expect(small.errors.first?.wireText == "error: script is too large (max 1048576 bytes)")
        #expect(small.errors.first?.render(fileName: "f") == "f: error: script is too large (max 1048576 bytes)")
        #expect(compile(script, limits: Self.big).isValid)
    }

    @Test("strings, arguments, variables and commands have caps")
    func caps() {
        let limits = CompileLimits(maxStringLength: 100, maxCommands: 50)
        #expect(
            compile("keep \"" + String(repeating: "a", count: 101) + "\";", limits: limits).errors.first?
                .message.contains("too long") == true)
        #expect(
            compile(String(repeating: "keep;", count: 51), limits: limits).errors.first?.message
                .contains("too many commands") == true)
        let args = "if header " + String(repeating: "\"a\" ", count: 40) + "{ keep; }"
        #expect(compile(args).errors.first?.message.contains("too many arguments") == true)
        var sets = "require \"variables\";\n"
        for i in 0..<256 { sets += "set \"v\(i)\" \"x\";\n" }
        let many = compile(sets)
        #expect(many.errors.first?.message.contains("number of variables") == true)
        #expect(many.errors.first?.line == 257)
        let longName = "require \"variables\"; set \"" + String(repeating: "v", count: 65) + "\" \"x\";"
        #expect(compile(longName).errors.first?.message.contains("too long") == true)
    }
}

/// A thread-safe counter for checking how often a closure runs.
final class Counter: @unchecked Sendable {
    private var count = 0
    private let lock = NSLock()
    var value: Int { lock.withLock { count } }
    func increment() { lock.withLock { count += 1 } }
}
