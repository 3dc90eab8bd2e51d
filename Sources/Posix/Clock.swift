import Glibc

/// Time as the server needs it: a monotonic clock for timeouts, the wall clock for logs and file names,
/// and UTC formatting by pure arithmetic — the server is a static binary that must not depend on
/// time-zone files or locales.
public enum Clock {
    /// Milliseconds on CLOCK_MONOTONIC: never jumps when the wall clock is set, so timeouts stay honest.
    public static func monotonicMilliseconds() -> UInt64 {
        milliseconds(of: CLOCK_MONOTONIC)
    }

    /// Milliseconds since the Unix epoch on CLOCK_REALTIME, for log stamps and session durations shown
    /// to people.
    public static func wallClockMilliseconds() -> UInt64 {
        milliseconds(of: CLOCK_REALTIME)
    }

    private static func milliseconds(of clock: clockid_t) -> UInt64 {
        var now = timespec()
        // clock_gettime cannot fail for these clocks on Linux; a zeroed value is the safe fallback.
        _ = clock_gettime(clock, &now)
        return UInt64(max(0, now.tv_sec)) &* 1000 &+ UInt64(max(0, now.tv_nsec)) / 1_000_000
    }

    /// The local time zone's offset from UTC at `epochSeconds`, in minutes, as localtime_r finds it (TZ, else
    /// /etc/localtime). For managesievectl's dry runs only: the server keeps to UTC.
    public static func localOffsetMinutes(atEpochSeconds epochSeconds: Int64) -> Int {
        var t = time_t(epochSeconds)
        var parts = tm()
        guard localtime_r(&t, &parts) != nil else { return 0 }
        return Int(parts.tm_gmtoff) / 60
    }

    /// Sleeps at least `milliseconds`, resuming after signals with the remaining time (nanosleep
    /// reports it), so an ignored signal cannot shorten e.g. the failed-login delay.
    public static func sleep(milliseconds: Int) {
        guard milliseconds > 0 else { return }
        var request = timespec(tv_sec: milliseconds / 1000, tv_nsec: (milliseconds % 1000) * 1_000_000)
        var remaining = timespec()
        while nanosleep(&request, &remaining) == -1 && errno == EINTR {
            request = remaining
        }
    }

    /// `2026-11-27T00:00:00.123Z` for milliseconds since the epoch, in UTC.
    public static func iso8601(milliseconds: UInt64) -> String {
        let t = CivilTime(milliseconds: milliseconds)
        return "\(pad(t.year, 4))-\(pad(t.month, 2))-\(pad(t.day, 2))T"
            + "\(pad(t.hour, 2)):\(pad(t.minute, 2)):\(pad(t.second, 2)).\(pad(t.millisecond, 3))Z"
    }

    /// `20261127T000000.123Z`: a UTC stamp without separators that sorts by time, for file names.
    public static func compactTimestamp(milliseconds: UInt64) -> String {
        let t = CivilTime(milliseconds: milliseconds)
        return "\(pad(t.year, 4))\(pad(t.month, 2))\(pad(t.day, 2))T"
            + "\(pad(t.hour, 2))\(pad(t.minute, 2))\(pad(t.second, 2)).\(pad(t.millisecond, 3))Z"
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

/// A UTC date and time broken down from milliseconds since 1970-01-01T00:00:00Z (proleptic Gregorian).
struct CivilTime: Equatable {
    var year: Int
    var month: Int
    var day: Int
    var hour: Int
    var minute: Int
    var second: Int
    var millisecond: Int

    init(milliseconds: UInt64) {
        let totalSeconds = Int(milliseconds / 1000)
        millisecond = Int(milliseconds % 1000)
        let days = totalSeconds / 86_400
        let secondsOfDay = totalSeconds % 86_400
        hour = secondsOfDay / 3600
        minute = secondsOfDay % 3600 / 60
        second = secondsOfDay % 60
        (year, month, day) = CivilTime.date(daysSinceEpoch: days)
    }

    /// Converts a day count to a Gregorian date by counting in 400-year eras (146,097 days each) that
    /// start on 1 March, so the leap day falls at the end of each counted year and needs no special case.
    static func date(daysSinceEpoch days: Int) -> (year: Int, month: Int, day: Int) {
        // 719,468 days separate 0000-03-01 from 1970-01-01. Days are never negative here (UInt64 input).
        let shifted = days + 719_468
        let era = shifted / 146_097
        let dayOfEra = shifted - era * 146_097  // 0...146096
        // Year of era: subtract the leap days gained every 4, 100 and 400 years before dividing by 365.
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365  // 0...399
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)  // 0...365, from 1 March
        let monthFromMarch = (5 * dayOfYear + 2) / 153  // 0...11: Mar=0 … Feb=11
        let day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1
        let month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }
}
