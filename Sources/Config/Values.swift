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
    private static func splitNumber(_ text: String) -> (Substring, Substring) {
        let end = text.firstIndex { !$0.isASCII || !$0.isNumber } ?? text.endIndex
        let unit = text[end...].drop { $0 == " " || $0 == "\t" }
        return (text[..<end], unit)
    }

    // MARK: sizes

    private static let sizeUnits: [(names: [String], factor: UInt64)] = [
        (["", "b"], 1),
        (["k", "kb", "kib"], 1 << 10),
        (["m", "mb", "mib"], 1 << 20),
        (["g", "gb", "gib"], 1 << 30),
        (["t", "tb", "tib"], 1 << 40),
    ]

    /// `N`, `NK`, `N KB`, `NM`, `NG`, `NT` (binary multiples, case-insensitive).
    static func size(_ text: String, max: UInt64 = UInt64.max) throws(ValueError) -> UInt64 {
        let (number, unit) = splitNumber(text)
        let expected = "expected a size such as 4096, 64K, 1 M or 2G"
        guard let parsed = digits(number),
            let factor = sizeUnits.first(where: { $0.names.contains(unit.lowercased()) })?.factor
        else {
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

    private static let timeUnits: [(names: [String], factor: UInt64)] = [
        (["ms", "msec", "msecs"], 1),
        (["", "s", "sec", "secs", "second", "seconds"], 1000),
        (["m", "min", "mins", "minute", "minutes"], 60_000),
        (["h", "hour", "hours"], 3_600_000),
        (["d", "day", "days"], 86_400_000),
    ]

    /// `N` (seconds), `N ms`, `N s`, `N min`, `N h`, `N d` with the long spellings; in milliseconds.
    static func milliseconds(_ text: String) throws(ValueError) -> Int {
        let (number, unit) = splitNumber(text)
        guard let parsed = digits(number),
            let factor = timeUnits.first(where: { $0.names.contains(unit.lowercased()) })?.factor
        else {
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
    static func list(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," }).map(String.init)
    }

    static func renderList(_ words: [String]) -> String { words.joined(separator: " ") }
}
