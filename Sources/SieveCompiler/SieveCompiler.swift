/// A reference to another script found in an `include` command.
public struct IncludeReference: Equatable, Sendable {
    public var name: String
    public var isGlobal: Bool
    public var line: Int
    public var once: Bool
    public var optional: Bool
}

public struct CompileResult: Sendable {
    /// Errors (at most `maxErrors`) and warnings, in source order.
    public var diagnostics: [Diagnostic]
    /// Personal and global includes found.
    public var includes: [IncludeReference]

    public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }
    public var warnings: [Diagnostic] { diagnostics.filter { $0.severity == .warning } }
    public var isValid: Bool { !diagnostics.contains { $0.severity == .error } }

    public init(diagnostics: [Diagnostic], includes: [IncludeReference]) {
        self.diagnostics = diagnostics
        self.includes = includes
    }
}

/// The Sieve compiler front end. Pure: no I/O.
///
/// Script bytes go through the `Lexer` (RFC 5228 §8.1, byte level), the `Parser` (§8.2, recursion bounded
/// by the nesting limits, recovery at `;` `}`) and, when both found nothing wrong, the `Validator`, which
/// looks every command, test and tag up in the extensions of `ExtensionRegistry` (one declarative type per
/// extension under Extensions/) and runs their checks. Like Pigeonhole's sievec, constant tests are folded
/// and dead branches are not validated. All texts are in Messages.swift.
public struct SieveCompiler: Sendable {
    public let options: CompileOptions

    public init(options: CompileOptions) { self.options = options }

    /// Compiles `script`. `includeExists` answers whether a personal script of that name exists in the
    /// user's storage (nil = don't check); it is asked about `:global` includes too (`isGlobal` is set), so
    /// a server without global scripts answers true or false for them as it sees fit.
    public func compile(_ script: [UInt8], includeExists: ((IncludeReference) -> Bool)? = nil) -> CompileResult {
        compileTree(script, includeExists: includeExists).result
    }

    /// Compiles `script` like `compile` and, when it is valid, returns the form an interpreter executes.
    public func compileForExecution(
        _ script: [UInt8], includeExists: ((IncludeReference) -> Bool)? = nil
    ) -> (result: CompileResult, script: ExecutableScript?) {
        let (result, tree) = compileTree(script, includeExists: includeExists)
        guard result.isValid, let tree else { return (result, nil) }
        return (result, tree.executable())
    }

    private func compileTree(
        _ script: [UInt8], includeExists: ((IncludeReference) -> Bool)?
    ) -> (result: CompileResult, tree: SyntaxTree?) {
        let sink = DiagnosticSink(maxErrors: options.maxErrors)
        // The syntax tree stores positions in 32 bits: 2 GiB and more is too large whatever the setting.
        let maxSize = min(options.limits.maxScriptSize, Int(Int32.max) - 1)
        if script.count > maxSize {
            sink.error(.scriptTooLarge(limit: maxSize), line: 0, column: 0)
            return (CompileResult(diagnostics: sink.diagnostics, includes: []), nil)
        }
        var parser = Parser(bytes: script, limits: options.limits, sink: sink)
        var tree = parser.parseScript()
        if sink.errorCount > 0 {
            return (CompileResult(diagnostics: SieveCompiler.ordered(sink.diagnostics), includes: []), nil)
        }
        // encoded-character must be known before strings are looked at: decode first.
        tree.decodeEncodedCharacters(enabled: options.extensions)
        let validator = Validator(options: options, sink: sink, tree: tree)
        validator.validate()
        if let includeExists {
            for ref in validator.includes where !ref.optional && !includeExists(ref) {
                if options.includeProblemsAreErrors {
                    sink.error(.includeMissing(ref.name), line: ref.line, column: 1)
                } else {
                    sink.warning(.includeMissing(ref.name), line: ref.line, column: 1)
                }
            }
        }
        return (CompileResult(diagnostics: SieveCompiler.ordered(sink.diagnostics), includes: validator.includes), tree)
    }

    /// Activation check: compiles `script` and, recursively (depth ≤ 10, each script once), every personal
    /// script it includes, loaded with `load` (nil = missing). Missing includes and include cycles are
    /// errors here; diagnostics of an included script name it ("in included script 'x': line 3: …").
    public func checkForActivation(_ script: [UInt8], named name: String, load: (String) -> [UInt8]?) -> CompileResult {
        var strict = options
        strict.includeProblemsAreErrors = true
        let compiler = SieveCompiler(options: strict)
        let top = compiler.compile(script)
        var diagnostics = top.diagnostics
        var checked: Set<String> = [name]
        compiler.checkIncludes(
            of: top, chain: [name], depth: 1, context: "", load: load, checked: &checked, into: &diagnostics)
        return CompileResult(diagnostics: diagnostics, includes: top.includes)
    }

    /// Pigeonhole's sieve_include_max_nesting_depth and sieve_include_max_includes defaults.
    static let maxIncludeDepth = 10
    static let maxIncludes = 255

    private func checkIncludes(
        of result: CompileResult, chain: [String], depth: Int, context: String, load: (String) -> [UInt8]?,
        checked: inout Set<String>, into diagnostics: inout [Diagnostic]
    ) {
        for ref in result.includes where !ref.isGlobal {
            if chain.contains(ref.name) {
                diagnostics.append(
                    Diagnostic(
                        severity: .error, line: ref.line, column: 1, kind: .includeCircular(ref.name), context: context)
                )
                continue
            }
            if checked.contains(ref.name) { continue }
            if checked.count > SieveCompiler.maxIncludes {
                diagnostics.append(
                    Diagnostic(
                        severity: .error, line: ref.line, column: 1,
                        kind: .tooManyIncludes(limit: SieveCompiler.maxIncludes), context: context))
                return
            }
            checked.insert(ref.name)
            guard let bytes = load(ref.name) else {
                if !ref.optional {
                    diagnostics.append(
                        Diagnostic(
                            severity: .error, line: ref.line, column: 1, kind: .includeMissing(ref.name),
                            context: context))
                }
                continue
            }
            if depth >= SieveCompiler.maxIncludeDepth {
                diagnostics.append(
                    Diagnostic(
                        severity: .error, line: ref.line, column: 1,
                        kind: .includeTooDeep(limit: SieveCompiler.maxIncludeDepth),
                        context: context))
                continue
            }
            let sub = compile(bytes)
            let subContext = "in included script '\(ref.name)': "
            for var d in sub.diagnostics {
                d.context = subContext + d.context
                diagnostics.append(d)
            }
            checkIncludes(
                of: sub, chain: chain + [ref.name], depth: depth + 1, context: subContext, load: load,
                checked: &checked,
                into: &diagnostics)
        }
    }

    static func ordered(_ list: [Diagnostic]) -> [Diagnostic] {
        list.enumerated().sorted { a, b in
            (a.element.line, a.element.column, a.offset) < (b.element.line, b.element.column, b.offset)
        }.map(\.element)
    }
}
