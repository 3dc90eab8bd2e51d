// A first look at a configuration file, for the greeting only.
//
// Every connection is a new process, and its client waits for the greeting. `ConfigParser.parse` builds
// Strings, arrays and the whole `Settings`; the Swift runtime's first use of those generic types costs
// more than the rest of the start-up together. `GreetingSettings.scan` reads the few values the greeting
// depends on straight from the bytes, without allocating, and only for files it can judge with certainty:
// plain `key = value` lines, keys from a short list, simple values that `parse` is sure to accept. For
// anything else it answers nil and the server takes its ordinary path (parse, then greet). When it answers,
// `parse` accepts the same text and agrees on every value here (`GreetingSettingsTests` checks both).

/// What the greeting needs from a configuration file, as offsets into the file's bytes.
public struct GreetingSettings: Equatable, Sendable {
    /// `passwd_file`: the offsets of its value, or nil for the default (`Settings().passwdFile`).
    public var passwdFile: Range<Int>?
    /// `managesieve_implementation_string`: the offsets of its value, or nil for the default.
    public var implementationString: Range<Int>?
    /// `sieve_max_redirects` (its default is `Settings().maxRedirects`).
    public var maxRedirects = 4
    /// The effective `disable_plaintext_auth` (`ssl` is always `no` here).
    public var disablePlaintextAuth = false

    public init() {}

    /// `Settings().passwdFile`, as a C string for a reader that makes no Swift String (`GreetingSettingsTests`
    /// checks the two agree).
    public static let defaultPasswdFile: StaticString = "/etc/managesieved/passwd"
    /// `Settings().implementationString`, likewise.
    public static let defaultImplementationString: StaticString = "managesieved"

    /// The greeting's settings when every line of `text` is one this scan can judge; nil otherwise.
    public static func scan(_ text: UnsafeRawBufferPointer) -> GreetingSettings? {
        var result = GreetingSettings()
        var seen: UInt32 = 0
        var lineStart = 0
        while lineStart < text.count {
            var lineEnd = lineStart
            while lineEnd < text.count && text[lineEnd] != 0x0A { lineEnd += 1 }
            defer { lineStart = lineEnd + 1 }
            guard let key = scanLine(text, lineStart, lineEnd, into: &result) else { return nil }
            guard key != Key.comment else { continue }
            // A repeated key is an error for `parse`: leave it to say so.
            guard seen & (1 << key.rawValue) == 0 else { return nil }
            seen |= 1 << key.rawValue
        }
        return result
    }

    /// The keys the scan knows. Others (TLS, transcripts, proxying, extensions, …) change the greeting or what
    /// happens before it, or need the full parser's judgement.
    enum Key: UInt8 {
        case comment
        case passwdFile, sieveStorage, sieve, implementationString, maxCompileErrors, maxScriptSize
        case quotaMaxScripts, quotaMaxStorage, maxRedirects, firstValidUID, lastValidUID, authFailureDelay
        case authMaxAttempts, logPath, idleTimeout, commandTimeout, loginTimeout, maxCommands, maxBadCommands
        case lockTimeout, ssl, disablePlaintextAuth
    }

    /// Judges one line: `Key.comment` for a blank or comment line, the key of a line whose value is sure to be
    /// accepted by `parse` (recording what the greeting needs), nil for anything else.
    static func scanLine(
        _ text: UnsafeRawBufferPointer, _ start: Int, _ end: Int, into result: inout GreetingSettings
    ) -> Key? {
        var position = start
        // Only plain printable ASCII and blanks: no CR, no control characters, no UTF-8 to validate.
        for index in start..<end {
            let byte = text[index]
            guard (byte >= 0x20 && byte < 0x7F) || byte == 0x09 else { return nil }
        }
        while position < end && isBlank(text[position]) { position += 1 }
        if position == end || text[position] == UInt8(ascii: "#") { return Key.comment }
        let keyStart = position
        while position < end && isKeyByte(text[position]) { position += 1 }
        let keyEnd = position
        while position < end && isBlank(text[position]) { position += 1 }
        guard keyEnd > keyStart, position < end, text[position] == UInt8(ascii: "=") else { return nil }
        position += 1
        while position < end && isBlank(text[position]) { position += 1 }
        var valueEnd = end
        while valueEnd > position && isBlank(text[valueEnd - 1]) { valueEnd -= 1 }
        let value = position..<valueEnd
        // No quoted values and no '#' anywhere (a comment after a value): `parse` handles those.
        if value.first.map({ text[$0] == UInt8(ascii: "\"") }) ?? false { return nil }
        for index in value where text[index] == UInt8(ascii: "#") { return nil }
        guard let key = key(text, keyStart, keyEnd) else { return nil }
        switch key {
        case .comment:
            return nil
        case .passwdFile:
            guard !value.isEmpty else { return nil }
            result.passwdFile = value
        case .sieveStorage, .sieve:
            guard !value.isEmpty else { return nil }
        case .implementationString:
            guard !value.isEmpty, value.count <= 1024 else { return nil }
            result.implementationString = value
        case .logPath:
            break
        case .maxRedirects:
            guard let number = number(text, value, maxDigits: 9) else { return nil }
            result.maxRedirects = number
        case .maxCommands, .firstValidUID, .lastValidUID, .quotaMaxScripts:
            guard number(text, value, maxDigits: 9) != nil else { return nil }
        case .maxCompileErrors, .authMaxAttempts, .maxBadCommands:
            guard let number = number(text, value, maxDigits: 9), number >= 1 else { return nil }
        case .authFailureDelay, .idleTimeout, .commandTimeout, .loginTimeout, .lockTimeout:
            // Plain seconds, small enough that the milliseconds fit the parser's limit.
            guard number(text, value, maxDigits: 6) != nil else { return nil }
        case .maxScriptSize, .quotaMaxStorage:
            // Digits and at most a one-letter binary unit, small enough never to overflow.
            var digitsEnd = value.upperBound
            if let last = value.last {
                let unit = text[last] | 0x20
                if unit == UInt8(ascii: "k") || unit == UInt8(ascii: "m") || unit == UInt8(ascii: "g") {
                    digitsEnd = last
                }
            }
            guard number(text, value.lowerBound..<digitsEnd, maxDigits: 9) != nil else { return nil }
        case .ssl:
            // Only "no": with TLS there is the context to build and the implicit-TLS sniff before the greeting.
            guard value.count == 2, text[value.lowerBound] == UInt8(ascii: "n"),
                text[value.lowerBound + 1] == UInt8(ascii: "o")
            else { return nil }
        case .disablePlaintextAuth:
            guard let flag = bool(text, value) else { return nil }
            result.disablePlaintextAuth = flag
        }
        return key
    }

    private static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    private static func isKeyByte(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39)
            || byte == 0x5F
    }

    /// `1*DIGIT` with at most `maxDigits` digits (so no limit of `parse` is ever reached).
    private static func number(_ text: UnsafeRawBufferPointer, _ range: Range<Int>, maxDigits: Int) -> Int? {
        guard !range.isEmpty, range.count <= maxDigits else { return nil }
        var value = 0
        for index in range {
            let byte = text[index]
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }

    /// `yes`, `no`, `true`, `false` in lower case; an empty value means unset (false, as `ssl` is `no`).
    private static func bool(_ text: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool? {
        if range.isEmpty { return false }
        if matches(text, range, "yes") || matches(text, range, "true") { return true }
        if matches(text, range, "no") || matches(text, range, "false") { return false }
        return nil
    }

    private static func matches(_ text: UnsafeRawBufferPointer, _ range: Range<Int>, _ word: StaticString) -> Bool {
        guard range.count == word.utf8CodeUnitCount else { return false }
        let bytes = word.utf8Start
        for offset in 0..<range.count where text[range.lowerBound + offset] != bytes[offset] { return false }
        return true
    }

    /// The known key spelled by `text[start..<end]` (exactly, as `parse` compares keys), or nil.
    private static func key(_ text: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Key? {
        let range = start..<end
        if matches(text, range, "passwd_file") { return .passwdFile }
        if matches(text, range, "log_path") { return .logPath }
        if matches(text, range, "auth_failure_delay") { return .authFailureDelay }
        if matches(text, range, "sieve_max_script_size") { return .maxScriptSize }
        if matches(text, range, "sieve_storage") { return .sieveStorage }
        if matches(text, range, "sieve") { return .sieve }
        if matches(text, range, "managesieve_implementation_string") { return .implementationString }
        if matches(text, range, "managesieve_max_compile_errors") { return .maxCompileErrors }
        if matches(text, range, "sieve_quota_max_scripts") { return .quotaMaxScripts }
        if matches(text, range, "sieve_quota_max_storage") { return .quotaMaxStorage }
        if matches(text, range, "sieve_max_redirects") { return .maxRedirects }
        if matches(text, range, "first_valid_uid") { return .firstValidUID }
        if matches(text, range, "last_valid_uid") { return .lastValidUID }
        if matches(text, range, "auth_max_attempts") { return .authMaxAttempts }
        if matches(text, range, "managesieve_idle_timeout") { return .idleTimeout }
        if matches(text, range, "managesieve_command_timeout") { return .commandTimeout }
        if matches(text, range, "managesieve_login_timeout") { return .loginTimeout }
        if matches(text, range, "managesieve_max_commands") { return .maxCommands }
        if matches(text, range, "managesieve_max_bad_commands") { return .maxBadCommands }
        if matches(text, range, "sieve_lock_timeout") { return .lockTimeout }
        if matches(text, range, "ssl") { return .ssl }
        if matches(text, range, "disable_plaintext_auth") { return .disablePlaintextAuth }
        return nil
    }
}
