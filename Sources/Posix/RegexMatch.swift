import Glibc

/// POSIX extended regular expression matching with groups, for the Sieve interpreter's `:regex` (which is
/// pure and is handed this as a closure).
public enum RegexMatch {
    /// nil when `pattern` does not compile or does not match `subject`; else the whole match and each group
    /// (empty for a group that did not take part). A NUL in the pattern or subject cannot reach regexec (it
    /// takes C strings): such a pattern does not match, a subject is cut at its first NUL.
    public static func match(pattern: [UInt8], caseInsensitive: Bool, subject: [UInt8]) -> [[UInt8]]? {
        if pattern.contains(0) { return nil }
        var flags = REG_EXTENDED
        if caseInsensitive { flags |= REG_ICASE }
        var compiled = regex_t()
        let code = (pattern + [0]).withUnsafeBufferPointer { p in
            p.withMemoryRebound(to: CChar.self) { regcomp(&compiled, $0.baseAddress!, flags) }
        }
        guard code == 0 else { return nil }
        defer { regfree(&compiled) }
        let groups = Int(compiled.re_nsub) + 1
        var matches = [regmatch_t](repeating: regmatch_t(), count: groups)
        let text = subject.prefix { $0 != 0 } + [0]
        let result = text.withUnsafeBufferPointer { p in
            p.withMemoryRebound(to: CChar.self) { regexec(&compiled, $0.baseAddress!, groups, &matches, 0) }
        }
        guard result == 0 else { return nil }
        return matches.map { m in
            m.rm_so < 0 ? [] : Array(subject[Int(m.rm_so)..<Int(m.rm_eo)])
        }
    }
}
