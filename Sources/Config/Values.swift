// Value syntax shared by the parser and the printer, so that what `entries` prints parses back.

enum Values {
    // MARK: booleans

    static func bool(_ text: String) throws(ValueError) -> Bool {
        switch text.lowercased() {
        case "yes", "true": return true
        case "no", "false": return false
        default: throw ValueError("invalid boolean '\(text)' (expected yes, no, true or false)")
        }
    }

    static func render(_ value: Bool) -> String { value ? "yes" : "no" }

    // MARK: numbers

    /// `1*DIGIT`, no sign, no overflow.
    static func unsigned(_ text: String, max: UInt64 = UInt64.max) throws(ValueError) -> UInt64 {
        guard let value = digits(Substring(text)) else {
            throw ValueError("invalid number '\(text)' (expected a non-negative whole number)")
        }
        guard let value, value <= max else {
            throw ValueError("number '\(text)' is too large (at most \(max))")
        }
        return value
    }

    /// Parses decimal digits; nil when not all digits, .some(nil) on overflow.
    private static func digits(_ text: Substring) -> UInt64?? {
        guard !text.isEmpty else { return nil }
        var value: UInt64 = 0
        var overflow = false
        for byte in text.utf8 {
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (plus, o2) = times.addingReportingOverflow(UInt64(byte - 0x30))
            if o1 || o2 { overflow = true }
            value = plus
        }
        return overflow ? .some(nil) : .some(value)
    }

    /// Splits `123 unit` / `123unit` into the number and the (trimmed) unit.
    /// Scans the UTF-8 bytes: a digit or a blank is one byte, and Character iteration costs start-up.
    private static func splitNumber(_ text: String) -> (Substring, Substring) {
        let utf8 = text.utf8
        var end = utf8.startIndex
        while end != utf8.endIndex, utf8[end] >= 0x30, utf8[end] <= 0x39 { end = utf8.index(after: end) }
        var unitStart = end
        while unitStart != utf8.endIndex, utf8[unitStart] == 0x20 || utf8[unitStart] == 0x09 {
            unitStart = utf8.index(after: unitStart)
        }
        return (text[..<end], text[unitStart...])
    }

    /// A unit in lower case. Units are ASCII words: lowered byte by byte, since `lowercased()` brings
    /// Unicode case mapping into every connection's start-up; anything else takes the general path.
    private static func lowercased(_ unit: Substring) -> String {
        var upper = false
        for byte in unit.utf8 {
            guard byte < 0x80 else { return unit.lowercased() }
            if byte >= 0x41 && byte <= 0x5A { upper = true }
        }
        guard upper else { return String(unit) }
        return String(unsafeUninitializedCapacity: unit.utf8.count) { buffer in
            var count = 0
            for byte in unit.utf8 {
                buffer[count] = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
                count += 1
            }
            return count
        }
    }

    // MARK: sizes

    /// The factor of a size unit (already lowercased); nil when unknown. A switch, not a table of arrays:
    /// a table is built at run time on every connection.
    private static func sizeFactor(_ unit: String) -> UInt64? {
        switch unit {
        case "", "b": 1
        case "k", "kb", "kib": 1 << 10
        case "m", "mb", "mib": 1 << 20
        case "g", "gb", "gib": 1 << 30
        case "t", "tb", "tib": 1 << 40
        default: nil
        }
    }

    /// `N`, `NK`, `N KB`, `NM`, `NG`, `NT` (binary multiples, case-insensitive).
    static func size(_ text: String, max: UInt64 = UInt64.max) throws(ValueError) -> UInt64 {
        let (number, unit) = splitNumber(text)
        let expected = "expected a size such as 4096, 64K, 1 M or 2G"
        guard let parsed = digits(number), let factor = sizeFactor(lowercased(unit)) else {
            throw ValueError("invalid size '\(text)' (\(expected))")
        }
        guard let parsed else { throw ValueError("size '\(text)' is too large") }
        let (value, overflow) = parsed.multipliedReportingOverflow(by: factor)
        guard !overflow, value <= max else {
            throw ValueError("size '\(text)' is too large (at most \(renderSize(max)))")
        }
        return value
    }

    static func renderSize(_ value: UInt64) -> String {
        guard value != 0 else { return "0" }
        for (suffix, shift) in [("T", 40), ("G", 30), ("M", 20), ("K", 10)] as [(String, UInt64)]
        where value % (1 << shift) == 0 {
            return "\(value >> shift)\(suffix)"
        }
        return String(value)
    }

    // MARK: times

    /// The factor of a time unit (already lowercased) to milliseconds; nil when unknown.
    private static func timeFactor(_ unit: String) -> UInt64? {
        switch unit {
        case "ms", "msec", "msecs": 1
        case "", "s", "sec", "secs", "second", "seconds": 1000
        case "m", "min", "mins", "minute", "minutes": 60_000
        case "h", "hour", "hours": 3_600_000
        case "d", "day", "days": 86_400_000
        default: nil
        }
    }

    /// `N` (seconds), `N ms`, `N s`, `N min`, `N h`, `N d` with the long spellings; in milliseconds.
    static func milliseconds(_ text: String) throws(ValueError) -> Int {
        let (number, unit) = splitNumber(text)
        guard let parsed = digits(number), let factor = timeFactor(lowercased(unit)) else {
            throw ValueError("invalid time '\(text)' (expected a time such as 30, 500 ms, 10 s, 5 min or 1 h)")
        }
        guard let parsed else { throw ValueError("time '\(text)' is too large") }
        let (value, overflow) = parsed.multipliedReportingOverflow(by: factor)
        guard !overflow, value <= UInt64(Int32.max) else {
            throw ValueError("time '\(text)' is too large (at most 24 days)")
        }
        return Int(value)
    }

    static func renderTime(_ milliseconds: Int) -> String {
        guard milliseconds != 0 else { return "0" }
        for (suffix, factor) in [("h", 3_600_000), ("min", 60_000), ("s", 1000)] where milliseconds % factor == 0 {
            return "\(milliseconds / factor) \(suffix)"
        }
        return "\(milliseconds) ms"
    }

    // MARK: lists

    /// Space- and/or comma-separated words.
    /// Words separated by blanks or commas. No word may start with '<': printed back, a list whose first word
    /// did would read as `key = <FILE` (and no address, user, scope, issuer or mechanism starts so).
    static func list(_ text: String) throws(ValueError) -> [String] {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," }).map(String.init)
        if let odd = words.first(where: { $0.first == "<" }) {
            throw ValueError("'\(odd)': a word of a list cannot start with '<'")
        }
        return words
    }

    static func renderList(_ words: [String]) -> String { words.joined(separator: " ") }
}
