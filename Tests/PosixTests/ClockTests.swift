import Glibc
import Testing

@testable import Posix

@Suite("Clock")
struct ClockTests {
    @Test(
        "iso8601 formats known instants in UTC with milliseconds",
        arguments: [
            (UInt64(0), "1970-01-01T00:00:00.000Z"),
            (UInt64(999), "1970-01-01T00:00:00.999Z"),
            (UInt64(94_608_000_000), "1972-12-31T00:00:00.000Z"),
            (UInt64(951_782_400_000), "2000-02-29T00:00:00.000Z"),
            (UInt64(951_868_800_000) - 1, "2000-02-29T23:59:59.999Z"),
            (UInt64(951_868_800_000), "2000-03-01T00:00:00.000Z"),
            (UInt64(1_709_164_800_000), "2024-02-29T00:00:00.000Z"),
            (UInt64(1_795_737_600_123), "2026-11-27T00:00:00.123Z"),
            (UInt64(4_107_456_000_000), "2100-02-28T00:00:00.000Z"),
            (UInt64(4_107_542_400_000), "2100-03-01T00:00:00.000Z"),
            (UInt64(253_402_300_799_999), "9999-12-31T23:59:59.999Z"),
        ])
    func iso8601(milliseconds: UInt64, expected: String) {
        #expect(Clock.iso8601(milliseconds: milliseconds) == expected)
    }

    @Test("compact timestamps have no separators and keep milliseconds")
    func compact() {
        #expect(Clock.compactTimestamp(milliseconds: 1_795_737_600_123) == "20261127T000000.123Z")
        #expect(Clock.compactTimestamp(milliseconds: 0) == "19700101T000000.000Z")
        #expect(Clock.compactTimestamp(milliseconds: 951_868_800_000 - 1) == "20000229T235959.999Z")
    }

    @Test("compact timestamps sort in time order")
    func compactSorts() {
        let instants: [UInt64] = [0, 1, 999, 1000, 59_999, 86_400_000, 951_782_400_000, 1_795_737_600_123]
        let stamps = instants.map { Clock.compactTimestamp(milliseconds: $0) }
        #expect(stamps == stamps.sorted())
    }

    @Test("the civil date agrees with gmtime_r across four centuries")
    func agreesWithGmtime() {
        // Every 7,919,999 s (about 92 days, co-prime with days and years) from 1970 to 2400.
        var seconds = 0
        while seconds < 13_569_465_600 {
            var t = time_t(seconds)
            var expected = tm()
            _ = gmtime_r(&t, &expected)
            let civil = CivilTime(milliseconds: UInt64(seconds) * 1000)
            #expect(civil.year == Int(expected.tm_year) + 1900)
            #expect(civil.month == Int(expected.tm_mon) + 1)
            #expect(civil.day == Int(expected.tm_mday))
            #expect(civil.hour == Int(expected.tm_hour))
            #expect(civil.minute == Int(expected.tm_min))
            #expect(civil.second == Int(expected.tm_sec))
            seconds += 7_919_999
        }
    }

    @Test("the wall clock is near time(), the monotonic clock never goes back")
    func clocks() {
        let wall = Clock.wallClockMilliseconds()
        let now = UInt64(time(nil)) * 1000
        #expect(wall + 2000 >= now && wall <= now + 2000)
        var previous = Clock.monotonicMilliseconds()
        for _ in 0..<1000 {
            let next = Clock.monotonicMilliseconds()
            #expect(next >= previous)
            previous = next
        }
    }

    @Test("sleep waits at least the requested time")
    func sleeps() {
        let start = Clock.monotonicMilliseconds()
        Clock.sleep(milliseconds: 60)
        #expect(Clock.monotonicMilliseconds() - start >= 60)
        let again = Clock.monotonicMilliseconds()
        Clock.sleep(milliseconds: 0)
        Clock.sleep(milliseconds: -5)
        #expect(Clock.monotonicMilliseconds() - again < 50)
    }
}
