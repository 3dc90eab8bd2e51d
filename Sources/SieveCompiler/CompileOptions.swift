/// Compile-time limits against hostile scripts (defaults as Pigeonhole).
public struct CompileLimits: Equatable, Sendable {
    /// Largest script accepted, in octets.
    public var maxScriptSize: Int
    /// Blocks nest at most this deep (a block at this depth is an error: 31 levels pass).
    public var maxNestingDepth: Int
    /// Tests nest at most this deep (a test at this depth is an error).
    public var maxTestNesting: Int
    /// Most arguments one command or test may have.
    public var maxArguments: Int
    /// Longest string literal, in octets.
    public var maxStringLength: Int
    /// Longest identifier.
    public var maxIdentifierLength: Int
    /// Most distinct variables a script may declare.
    public var maxVariables: Int
    /// Longest variable name.
    public var maxVariableNameLength: Int
    /// Most commands and tests in one script.
    public var maxCommands: Int

    public init(
        maxScriptSize: Int = 1 << 20, maxNestingDepth: Int = 32, maxTestNesting: Int = 32, maxArguments: Int = 32,
        maxStringLength: Int = 1 << 20, maxIdentifierLength: Int = 32, maxVariables: Int = 255,
        maxVariableNameLength: Int = 64, maxCommands: Int = 1_000_000
    ) {
        self.maxScriptSize = maxScriptSize
        self.maxNestingDepth = maxNestingDepth
        self.maxTestNesting = maxTestNesting
        self.maxArguments = maxArguments
        self.maxStringLength = maxStringLength
        self.maxIdentifierLength = maxIdentifierLength
        self.maxVariables = maxVariables
        self.maxVariableNameLength = maxVariableNameLength
        self.maxCommands = maxCommands
    }
}

public struct CompileOptions: Sendable {
    public var extensions: ExtensionSet = .pigeonholeDefault
    /// Errors reported at most (`managesieve_max_compile_errors`).
    public var maxErrors: Int = 5
    /// MAXREDIRECTS: more `redirect` commands than this give a warning.
    public var maxRedirects: Int = 4
    public var limits: CompileLimits = .init()
    /// true at SETACTIVE / sievec / `check` (missing or circular include = error); false at
    /// PUTSCRIPT/CHECKSCRIPT (= warning).
    public var includeProblemsAreErrors: Bool = false
    /// Checks a `:regex` pattern as POSIX extended regex; returns an error text or nil. nil = no check.
    public var regexChecker: (@Sendable (_ pattern: String, _ caseInsensitive: Bool) -> String?)? = nil

    public init(
        extensions: ExtensionSet = .pigeonholeDefault, maxErrors: Int = 5, maxRedirects: Int = 4,
        limits: CompileLimits = .init(), includeProblemsAreErrors: Bool = false,
        regexChecker: (@Sendable (_ pattern: String, _ caseInsensitive: Bool) -> String?)? = nil
    ) {
        self.extensions = extensions
        self.maxErrors = maxErrors
        self.maxRedirects = maxRedirects
        self.limits = limits
        self.includeProblemsAreErrors = includeProblemsAreErrors
        self.regexChecker = regexChecker
    }
}
