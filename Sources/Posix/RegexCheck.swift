import Glibc

/// Checks that a `:regex` pattern (RFC 5229) compiles as a POSIX extended regular expression, the
/// dialect the Sieve delivery agent will use. The Sieve compiler is pure and reaches this through a
/// closure handed to it by the executables.
public enum RegexCheck {
    /// Returns nil when `pattern` compiles with REG_EXTENDED|REG_NOSUB (plus REG_ICASE when asked),
    /// else regerror's description of the problem. The compiled expression is always freed. (The compiler
    /// settles the simple patterns itself, SieveCompiler's `RegexSyntax`, and asks this only for the rest.)
    public static func check(_ pattern: String, caseInsensitive: Bool) -> String? {
        // regcomp takes a C string: a NUL would silently cut the pattern short, so refuse it here.
        if pattern.utf8.contains(0) { return "pattern contains a NUL character" }
        return compile(pattern, caseInsensitive: caseInsensitive)
    }

    /// The regcomp path: nil when glibc compiles `pattern`, else regerror's text.
    static func compile(_ pattern: String, caseInsensitive: Bool) -> String? {
        var flags = REG_EXTENDED | REG_NOSUB
        if caseInsensitive { flags |= REG_ICASE }
        var compiled = regex_t()
        let code = regcomp(&compiled, pattern, flags)
        guard code != 0 else {
            regfree(&compiled)
            return nil
        }
        // glibc leaves nothing allocated when regcomp fails, but regfree on the failed value is harmless
        // and keeps "always regfree" true on every libc.
        defer { regfree(&compiled) }
        let size = regerror(code, &compiled, nil, 0)
        var text = [CChar](repeating: 0, count: max(1, size) + 1)
        _ = regerror(code, &compiled, &text, text.count)
        let message = text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return message.isEmpty ? "invalid regular expression (regcomp error \(code))" : message
    }
}
