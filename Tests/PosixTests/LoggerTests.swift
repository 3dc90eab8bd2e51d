import Foundation
import Glibc
import Testing

@testable import Posix

@Suite("Logger")
struct LoggerTests {
    /// The log file's lines (without their newlines).
    private func lines(_ path: String) throws -> [String] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasSuffix("\n"))
        return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
    }

    /// Splits `2026-11-27T00:00:00.123Z managesieved[42]: text` into its stamp, tag and text.
    private func parts(_ line: String) -> (stamp: String, tag: String, text: String)? {
        guard let space = line.firstIndex(of: " "), let colon = line.range(of: ": ") else { return nil }
        return (
            String(line[..<space]), String(line[line.index(after: space)..<colon.lowerBound]),
            String(line[colon.upperBound...])
        )
    }

    @Test("a file line is a UTC millisecond stamp, ident[pid], then the message")
    func fileFormat() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("log")
        let before = Clock.wallClockMilliseconds()
        let logger = Logger(destination: .file(path: path))
        logger.log(.info, "session started")
        let after = Clock.wallClockMilliseconds()
        let all = try lines(path)
        try #require(all.count == 1)
        let (stamp, tag, text) = try #require(parts(all[0]))
        #expect(tag == "managesieved[\(getpid())]")
        #expect(text == "session started")
        #expect(stamp.count == 24)
        #expect(stamp.hasSuffix("Z"))
        // The stamp lies between the clock readings taken around the call (compared as text: ISO 8601
        // stamps of equal length sort by time).
        #expect(stamp >= Clock.iso8601(milliseconds: before))
        #expect(stamp <= Clock.iso8601(milliseconds: after))
        #expect(logger.destination == .file(path: path))
    }

    @Test("the context prefix shows the peer, then the user once known")
    func contextPrefix() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("log")
        let logger = Logger(destination: .file(path: path), ident: "test")
        logger.log(.notice, "one")
        logger.peer = "1.2.3.4:5678"
        logger.log(.notice, "two")
        logger.user = "bob"
        logger.log(.warning, "three")
        logger.peer = nil
        logger.log(.error, "four")
        let texts = try lines(path).map { try #require(parts($0)).text }
        #expect(texts == ["one", "peer=1.2.3.4:5678: two", "peer=1.2.3.4:5678 user=bob: three", "user=bob: four"])
        #expect(try lines(path).allSatisfy { $0.contains(" test[\(getpid())]: ") })
    }

    @Test("control characters are escaped so one message is one line")
    func escapesControlCharacters() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("log")
        let logger = Logger(destination: .file(path: path))
        logger.user = "eve\nforged"
        logger.log(.info, "a\r\nb\u{0}c\u{7f}d\u{1b}[31m ünïcødé\tend")
        let all = try lines(path)
        #expect(all.count == 1)
        #expect(
            try #require(parts(all[0])).text == "user=eve\\x0Aforged: a\\x0D\\x0Ab\\x00c\\x7Fd\\x1B[31m ünïcødé\\x09end"
        )
    }

    @Test("an overlong message is cut and marked")
    func truncatesLongMessages() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("log")
        let logger = Logger(destination: .file(path: path))
        logger.log(.info, String(repeating: "x", count: 100_000))
        let text = try #require(parts(try lines(path)[0])).text
        #expect(text.hasSuffix("…[truncated]"))
        #expect(text.utf8.count <= Logger.maxMessageLength + 20)
    }

    @Test("levels below the minimum are dropped")
    func minimumLevel() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("log")
        let logger = Logger(destination: .file(path: path))
        logger.minimumLevel = .notice
        logger.debug("d")
        logger.info("i")
        logger.notice("n")
        logger.warning("w")
        logger.error("e")
        #expect(try lines(path).map { try #require(parts($0)).text } == ["n", "w", "e"])
    }

    @Test("appends to an existing file, created with mode 0640 at most, on a descriptor above 2")
    func appendsAndMode() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("log")
        try "old line\n".write(toFile: path, atomically: false, encoding: .utf8)
        Logger(destination: .file(path: path)).info("new line")
        let all = try lines(path)
        #expect(all.count == 2)
        #expect(all[0] == "old line")

        let fresh = dir.file("fresh")
        Logger(destination: .file(path: fresh)).info("x")
        var st = stat()
        #expect(stat(fresh, &st) == 0)
        #expect(st.st_mode & 0o777 & ~0o640 == 0)
    }

    @Test("lines from concurrent writers never interleave (one write per line)")
    func concurrentLinesStayWhole() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("log")
        let count = 300
        // Two loggers, each with its own open file (as two sessions have), append from two threads at once.
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            let other = Logger(destination: .file(path: path))
            other.peer = "child"
            for i in 0..<count { other.info("line \(i) " + String(repeating: "c", count: 500)) }
            done.signal()
        }
        let parent = Logger(destination: .file(path: path))
        parent.peer = "parent"
        for i in 0..<count { parent.info("line \(i) " + String(repeating: "p", count: 500)) }
        done.wait()
        let all = try lines(path)
        #expect(all.count == 2 * count)
        for line in all {
            let text = try #require(parts(line)).text
            let whole =
                (text.hasPrefix("peer=child: line ") && text.hasSuffix(String(repeating: "c", count: 500)))
                || (text.hasPrefix("peer=parent: line ") && text.hasSuffix(String(repeating: "p", count: 500)))
            #expect(whole, "torn line: \(line.prefix(80))")
        }
    }

    @Test("a log file that cannot be opened falls back to syslog")
    func fallsBackToSyslog() {
        let logger = Logger(destination: .file(path: "/nonexistent-dir/managesieved.log"))
        #expect(logger.destination == .syslog(facility: "mail", ident: "managesieved"))
        logger.info("still logging")
    }

    @Test("an unknown facility falls back to mail")
    func unknownFacility() {
        let logger = Logger(destination: .syslog(facility: "bogus", ident: "x"))
        #expect(logger.destination == .syslog(facility: "mail", ident: "x"))
        let ok = Logger(destination: .syslog(facility: "local3", ident: "x"))
        #expect(ok.destination == .syslog(facility: "local3", ident: "x"))
    }

    @Test(
        "facility names map to syslog codes",
        arguments: [
            ("mail", LOG_MAIL), ("daemon", LOG_DAEMON), ("user", LOG_USER), ("local0", LOG_LOCAL0),
            ("local7", LOG_LOCAL7), ("MAIL", LOG_MAIL),
        ])
    func facilities(name: String, code: Int32) {
        #expect(Logger.facility(named: name) == code)
    }

    @Test("unknown facility names are nil", arguments: ["", "local8", "kern0", "mail "])
    func unknownFacilities(name: String) {
        #expect(Logger.facility(named: name) == nil)
    }

    @Test("discard writes nothing anywhere")
    func discard() {
        let logger = Logger(destination: .discard)
        logger.error("nothing")
        #expect(logger.destination == .discard)
    }

    @Test("level names from the configuration")
    func levelNames() {
        #expect(LogLevel(named: "DEBUG") == .debug)
        #expect(LogLevel(named: "info") == .info)
        #expect(LogLevel(named: "notice") == .notice)
        #expect(LogLevel(named: "warn") == .warning)
        #expect(LogLevel(named: "err") == .error)
        #expect(LogLevel(named: "verbose") == nil)
        #expect(LogLevel.allCases.sorted() == [.debug, .info, .notice, .warning, .error])
    }
}
