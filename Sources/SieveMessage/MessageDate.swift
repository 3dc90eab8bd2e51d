// RFC 5322 §3.3: date-time, and the calendar arithmetic the date extension (RFC 5260) needs.

/// A point in time with the zone it was written in.
public struct MessageDate: Equatable, Sendable {
    /// Seconds since 1970-01-01T00:00:00Z.
    public var epochSeconds: Int64
    /// The zone's offset from UTC, in minutes.
    public var zoneMinutes: Int

    public init(epochSeconds: Int64, zoneMinutes: Int) {
        self.epochSeconds = epochSeconds
        self.zoneMinutes = zoneMinutes
    }

    /// The local calendar fields in this date's zone.
    public var fields: (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, weekday: Int) {
        let local = epochSeconds + Int64(zoneMinutes) * 60
        let days = Int(floorDiv(local, 86400))
        let secs = Int(local - Int64(days) * 86400)
        let (y, m, d) = MessageDate.civil(fromDays: days)
        // 1970-01-01 was a Thursday (4; Sunday = 0).
        let weekday = ((days % 7) + 11) % 7
        return (y, m, d, secs / 3600, secs / 60 % 60, secs % 60, weekday)
    }

    /// The same instant seen from another zone.
    public func inZone(_ minutes: Int) -> MessageDate { MessageDate(epochSeconds: epochSeconds, zoneMinutes: minutes) }

    private func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
    public static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    public static func civil(fromDays z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }

    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    private static let zones: [String: Int] = [
        "ut": 0, "gmt": 0, "z": 0, "est": -300, "edt": -240, "cst": -360, "cdt": -300, "mst": -420, "mdt": -360,
        "pst": -480, "pdt": -420,
    ]

    /// date-time = [day-of-week ","] day month year hour ":" minute [":" second] zone (obsolete forms
    /// accepted: two-digit years, zone names, comments). nil when it is not a date.
    public static func parse(_ value: [UInt8]) -> MessageDate? {
        // Words: runs of letters/digits; separators ", : + -" kept as their own items.
        var items: [[UInt8]] = []
        var i = 0
        let n = value.count
        var depth = 0
        while i < n {
            let c = value[i]
            if c == 0x28 { depth += 1 }
            if depth > 0 {
                if c == 0x29 { depth -= 1 }
                i += 1
                continue
            }
            if Ascii.isWhite(c) || c == 0x0D || c == 0x0A || c == 0x2C {
                i += 1
                continue
            }
            if c == 0x3A || c == 0x2B || c == 0x2D {
                items.append([c])
                i += 1
                continue
            }
            let start = i
            while i < n, isAlnum(value[i]) { i += 1 }
            if i == start { return nil }
            items.append(Array(value[start..<i]))
        }
        var k = 0
        if k < items.count, let first = items[k].first, !isDigit(first) { k += 1 }
        guard k + 2 < items.count, let day = number(items[k]), let month = monthIndex(items[k + 1]),
            var year = number(items[k + 2])
        else { return nil }
        k += 3
        if items[k - 1].count <= 2 { year += year < 50 ? 2000 : 1900 } else if items[k - 1].count == 3 { year += 1900 }
        guard k + 2 < items.count, let hour = number(items[k]), items[k + 1] == [0x3A],
            let minute = number(items[k + 2])
        else { return nil }
        k += 3
        var second = 0
        if k + 1 < items.count, items[k] == [0x3A], let s = number(items[k + 1]) {
            second = s
            k += 2
        }
        var zone = 0
        if k < items.count {
            if (items[k] == [0x2B] || items[k] == [0x2D]), k + 1 < items.count, items[k + 1].count == 4,
                let z = number(items[k + 1])
            {
                zone = (z / 100) * 60 + z % 100
                if items[k] == [0x2D] { zone = -zone }
            } else if let named = zones[Ascii.lowercased(items[k])] {
                zone = named
            }
        }
        guard day >= 1, day <= 31, hour <= 23, minute <= 59, second <= 60 else { return nil }
        let days = MessageDate.days(year: year, month: month, day: day)
        let local = Int64(days) * 86400 + Int64(hour * 3600 + minute * 60 + second)
        return MessageDate(epochSeconds: local - Int64(zone) * 60, zoneMinutes: zone)
    }

    private static func monthIndex(_ w: [UInt8]) -> Int? {
        months.firstIndex(of: Ascii.lowercased(w)).map { $0 + 1 }
    }
    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    private static func isAlnum(_ c: UInt8) -> Bool {
        isDigit(c) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
    }
    private static func number(_ w: [UInt8]) -> Int? {
        guard !w.isEmpty, w.count <= 9, w.allSatisfy(isDigit) else { return nil }
        return w.reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }
}
