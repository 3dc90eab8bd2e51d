import Testing

@testable import SieveCompiler

/// Compiles `script` with every extension enabled unless told otherwise.
func compile(
    _ script: String, extensions: ExtensionSet = .all, maxErrors: Int = 5, limits: CompileLimits = .init(),
    includeExists: ((IncludeReference) -> Bool)? = nil, strictIncludes: Bool = false,
    regex: (@Sendable (String, Bool) -> String?)? = nil
) -> CompileResult {
    let options = CompileOptions(
        extensions: extensions, maxErrors: maxErrors, limits: limits, includeProblemsAreErrors: strictIncludes,
        regexChecker: regex)
    return SieveCompiler(options: options).compile(Array(script.utf8), includeExists: includeExists)
}

/// The first error's message, or nil when the script is valid.
func firstError(_ script: String, extensions: ExtensionSet = .all) -> String? {
    compile(script, extensions: extensions).errors.first?.message
}

/// A table row: a script and whether it must compile.
struct Case: CustomTestStringConvertible, Sendable {
    let script: String
    let valid: Bool
    /// A fragment the first error (or, for valid scripts, the first warning) must contain; "" = no check.
    let expect: String

    init(_ script: String, valid: Bool, _ expect: String = "") {
        self.script = script
        self.valid = valid
        self.expect = expect
    }

    var testDescription: String { script.count > 70 ? String(script.prefix(70)) + "…" : script }
}

/// Checks one table row.
func check(_ c: Case, extensions: ExtensionSet = .all) {
    let result = compile(c.script, extensions: extensions)
    #expect(result.isValid == c.valid, "\(c.script): \(result.diagnostics.map(\.wireText))")
    if !c.expect.isEmpty {
        let text = (c.valid ? result.warnings.first : result.errors.first)?.message ?? "<none>"
        #expect(text.contains(c.expect), "\(c.script): got \(text)")
    }
}
