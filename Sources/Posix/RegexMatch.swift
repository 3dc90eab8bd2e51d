import Glibc

/// POSIX extended regular expression matching with groups, for the Sieve interpreter's `:regex` (which is
/// pure and is handed this as a closure).
public enum RegexMatch {
    /// nil when `pattern` does not compile or does not match `subject`; else the whole match and each group
    /// (empty for a group that did not take part). A NUL in the pattern or subject cannot reach regexec (it
    /// takes C strings): such a pattern does not match, a subject is cut at its first NUL.
    public static func match(pattern: [UInt8], caseInsensitive: Bool, subject: [UInt8]) -> [[UInt8]]? {
        guard let compiled = CompiledRegex(pattern: pattern, caseInsensitive: caseInsensitive) else { return nil }
        return compiled.match(subject)
    }
}

/// One regcomp'd pattern, freed with its owner.
public final class CompiledRegex {
    private var regex = regex_t()

    public init?(pattern: [UInt8], caseInsensitive: Bool) {
        if pattern.contains(0) { return nil }
        var flags = REG_EXTENDED
        if caseInsensitive { flags |= REG_ICASE }
        let code = (pattern + [0]).withUnsafeBufferPointer { p in
            p.withMemoryRebound(to: CChar.self) { regcomp(&regex, $0.baseAddress!, flags) }
        }
        guard code == 0 else { return nil }
    }

    deinit { regfree(&regex) }

    public func match(_ subject: [UInt8]) -> [[UInt8]]? {
        let groups = Int(regex.re_nsub) + 1
        var matches = [regmatch_t](repeating: regmatch_t(), count: groups)
        let text = subject.prefix { $0 != 0 } + [0]
        let result = text.withUnsafeBufferPointer { p in
            p.withMemoryRebound(to: CChar.self) { regexec(&regex, $0.baseAddress!, groups, &matches, 0) }
        }
        guard result == 0 else { return nil }
        return matches.map { m in
            m.rm_so < 0 ? [] : Array(subject[Int(m.rm_so)..<Int(m.rm_eo)])
        }
    }
}

/// Compiled patterns kept for a whole run (a batch compares the same keys against every message). Not
/// thread-safe: one per process, used from one thread, as managesievectl does.
public final class RegexCache: @unchecked Sendable {
    private struct Key: Hashable {
        var pattern: [UInt8]
        var caseInsensitive: Bool
    }
    private var compiled: [Key: CompiledRegex?] = [:]
    /// Patterns kept at most (a script built from variables could otherwise make one per message).
    private let limit: Int

    public init(limit: Int = 1000) { self.limit = limit }

    public func match(pattern: [UInt8], caseInsensitive: Bool, subject: [UInt8]) -> [[UInt8]]? {
        let key = Key(pattern: pattern, caseInsensitive: caseInsensitive)
        if let known = compiled[key] { return known?.match(subject) }
        let regex = CompiledRegex(pattern: pattern, caseInsensitive: caseInsensitive)
        if compiled.count >= limit { compiled.removeAll() }
        compiled[key] = .some(regex)
        return regex?.match(subject)
    }
}
