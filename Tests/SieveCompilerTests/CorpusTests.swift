// The Sieve verdict corpus: one script per file under Corpus/<group>/, each with the verdict Pigeonhole's
// `sievec` gave it (Corpus/<group>/<case>.expected, written by tools/corpus-recheck --record, never by
// hand). Every case is its own test, so one failure never hides the rest (DESIGN.md convention 14).

import Foundation
import SieveCompiler
import Testing

/// One corpus script and the verdict sievec recorded for it.
struct CorpusCase: CustomTestStringConvertible, Sendable {
    /// `group/case`, e.g. `core/keep_only`.
    let name: String
    let scriptPath: String
    /// sievec exited 0.
    let isValid: Bool
    /// The `-x` spec sievec ran with, or `default`.
    let extensions: String
    /// First error's line for invalid cases; first warning's line (or 0) for valid ones.
    let line: Int
    /// sievec's stderr, as recorded.
    let sievecOutput: [String]

    var testDescription: String { name }

    static let directory: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Corpus")

    /// Every case of the corpus, sorted by name.
    static let all: [CorpusCase] = load()

    private static func load() -> [CorpusCase] {
        let root = directory.resolvingSymlinksInPath().path
        guard let walker = FileManager.default.enumerator(atPath: root) else { return [] }
        var cases: [CorpusCase] = []
        while let relative = walker.nextObject() as? String {
            guard relative.hasSuffix(".sieve") else { continue }
            let stem = String(relative.dropLast(".sieve".count))
            let scriptPath = root + "/" + relative
            let expectedPath = root + "/" + stem + ".expected"
            guard let data = FileManager.default.contents(atPath: expectedPath) else {
                // A script without a recorded verdict: tools/corpus-recheck reports it; record it there.
                cases.append(
                    CorpusCase(
                        name: stem, scriptPath: scriptPath, isValid: false, extensions: "missing .expected", line: -1,
                        sievecOutput: []))
                continue
            }
            let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
                .map(String.init)
            let verdict = lines.first ?? ""
            let extensions = lines.count > 1 ? String(lines[1].dropFirst("extensions: ".count)) : ""
            let line = lines.count > 2 ? Int(lines[2].dropFirst("line: ".count)) ?? -1 : -1
            let output = lines.dropFirst(3).filter { $0.hasPrefix("# ") }.map { String($0.dropFirst(2)) }
            cases.append(
                CorpusCase(
                    name: stem, scriptPath: scriptPath, isValid: verdict == "valid", extensions: extensions,
                    line: line, sievecOutput: output))
        }
        return cases.sorted { $0.name < $1.name }
    }

    var hasRecord: Bool { line >= 0 }

    /// Compiles the script as sievec does: the recorded extension set, include problems as errors, POSIX
    /// regcomp as the regex checker, and `include "name"` resolved to `<name>.sieve` next to the case
    /// (`:global` to `global/<name>.sieve`), which is where tools/corpus-recheck points sievec's personal
    /// and global script locations. Like sievec, a script that includes others also has them compiled
    /// (the activation check), so a broken or circular include makes it invalid.
    func compile() throws -> Verdict {
        let bytes = [UInt8](FileManager.default.contents(atPath: scriptPath) ?? Data())
        let set: ExtensionSet = extensions == "default" ? .pigeonholeDefault : try ExtensionSet(parsing: extensions)
        var options = CompileOptions()
        options.extensions = set
        options.includeProblemsAreErrors = true
        options.regexChecker = posixRegexProblem
        let directory = (scriptPath as NSString).deletingLastPathComponent
        func path(of reference: IncludeReference) -> String {
            (reference.isGlobal ? directory + "/global/" : directory + "/") + reference.name + ".sieve"
        }
        let compiler = SieveCompiler(options: options)
        var result = compiler.compile(
            bytes, includeExists: { FileManager.default.fileExists(atPath: path(of: $0)) })
        if result.isValid && !result.includes.isEmpty {
            let scriptName = ((scriptPath as NSString).lastPathComponent as NSString).deletingPathExtension
            result = compiler.checkForActivation(
                bytes, named: scriptName,
                load: { name in
                    FileManager.default.contents(atPath: directory + "/" + name + ".sieve").map { [UInt8]($0) }
                })
        }
        return Verdict(
            isValid: result.isValid,
            firstError: result.errors.first.map { (line: $0.line, message: $0.message) },
            firstWarning: result.warnings.first.map { (line: $0.line, message: $0.message) })
    }

    /// What sievec said, for failure messages.
    var sievecSummary: String {
        let said = sievecOutput.isEmpty ? "(no output)" : sievecOutput.joined(separator: "\n    ")
        return "sievec (\(extensions)) says \(isValid ? "valid" : "invalid"), line \(line):\n    \(said)"
    }
}

/// The regex check sievec performs at compile time: regcomp with REG_EXTENDED | REG_NOSUB (and REG_ICASE
/// for i;ascii-casemap). Returns regerror's text when the pattern does not compile. (The server wires the
/// same check from the Posix target; this test target depends on SieveCompiler only.)
@Sendable func posixRegexProblem(_ pattern: String, caseInsensitive: Bool) -> String? {
    if pattern.utf8.contains(0) { return "pattern contains a NUL character" }
    var flags = REG_EXTENDED | REG_NOSUB
    if caseInsensitive { flags |= REG_ICASE }
    var compiled = regex_t()
    let code = regcomp(&compiled, pattern, flags)
    defer { regfree(&compiled) }
    guard code != 0 else { return nil }
    var text = [CChar](repeating: 0, count: 256)
    _ = regerror(code, &compiled, &text, text.count)
    return text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
}

/// Our compiler's verdict on one case.
struct Verdict {
    let isValid: Bool
    let firstError: (line: Int, message: String)?
    let firstWarning: (line: Int, message: String)?

    /// A short description, for failure messages.
    var summary: String {
        let verdict = "we say \(isValid ? "valid" : "invalid")"
        if let first = firstError { return "\(verdict), first error line \(first.line): \(first.message)" }
        if let first = firstWarning { return "\(verdict), first warning line \(first.line): \(first.message)" }
        return verdict
    }
}

@Suite("Sieve corpus recorded from Pigeonhole's sievec")
struct CorpusTests {
    @Test("the corpus is present and every script has a recorded verdict")
    func corpusIsComplete() {
        let count = CorpusCase.all.count
        #expect(count >= 400, "corpus at \(CorpusCase.directory.path) has only \(count) cases")
        let unrecorded = CorpusCase.all.filter { !$0.hasRecord }.map(\.name)
        #expect(unrecorded.isEmpty, "no .expected (run tools/corpus-recheck --record): \(unrecorded)")
    }

    @Test("our verdict equals sievec's", arguments: CorpusCase.all)
    func verdict(_ corpusCase: CorpusCase) throws {
        try #require(corpusCase.hasRecord, "\(corpusCase.name) has no .expected file")
        let result = try corpusCase.compile()
        #expect(
            result.isValid == corpusCase.isValid,
            "\(corpusCase.name): \(result.summary); \(corpusCase.sievecSummary)")
    }

    @Test("the first error is on sievec's line in at least 95% of invalid scripts")
    func firstErrorLines() throws {
        let invalid = CorpusCase.all.filter { $0.hasRecord && !$0.isValid }
        try #require(!invalid.isEmpty)
        var matched = 0
        var misses: [String] = []
        for corpusCase in invalid {
            let result = try corpusCase.compile()
            let ours = result.firstError?.line
            if ours == corpusCase.line {
                matched += 1
            } else {
                let oursText = ours.map(String.init) ?? "none"
                misses.append("\(corpusCase.name): sievec line \(corpusCase.line), ours \(oursText)")
            }
        }
        let percent = Double(matched) * 100 / Double(invalid.count)
        let figure = (percent * 10).rounded() / 10
        print("corpus: first error on sievec's line in \(matched) of \(invalid.count) invalid scripts (\(figure)%)")
        for miss in misses.prefix(40) { print("  line differs: \(miss)") }
        #expect(percent >= 95, "first error on sievec's line in only \(figure)% of invalid scripts")
    }
}
