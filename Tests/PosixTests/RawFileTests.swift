import Foundation
import Glibc
import Testing

@testable import Posix

@Suite("RawFile")
struct RawFileTests {
    @Test("reads a whole file, empty or larger than one read, exactly as FileRead does")
    func readsWholeFile() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let big = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        try Data(big).write(to: URL(fileURLWithPath: dir.file("big")))
        try Data().write(to: URL(fileURLWithPath: dir.file("empty")))
        for (name, expected) in [("big", big), ("empty", [])] {
            let file = try #require(RawFile.read(path: dir.file(name), maxSize: 200_000))
            #expect(file.array == expected)
            #expect(file.array == (try FileRead.readFile(path: dir.file(name), maxSize: 200_000)))
            file.free()
        }
    }

    @Test("nil for a missing file, a directory, a device and a file over the limit")
    func refuses() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        try Data(repeating: 0x61, count: 101).write(to: URL(fileURLWithPath: dir.file("f")))
        #expect(RawFile.read(path: dir.file("f"), maxSize: 100) == nil)
        #expect(RawFile.read(path: dir.file("f"), maxSize: 101) != nil)
        #expect(RawFile.read(path: "/nonexistent/managesieved.conf", maxSize: 100) == nil)
        #expect(RawFile.read(path: dir.path, maxSize: 100) == nil)
        #expect(RawFile.read(path: "/dev/zero", maxSize: 100) == nil)
    }

    @Test(
        "finds a byte string anywhere, including at the very start and end",
        arguments: [
            ("{PLAIN}x", "{PLAIN}", true), ("u:{PLAIN}", "{PLAIN}", true), ("u:{PLAIN", "{PLAIN}", false),
            ("{{{SCRAM-", "{SCRAM-", true), ("", "{PLAIN}", false), ("a:{SHA512-CRYPT}$6$", "{SCRAM-", false),
        ])
    func contains(text: String, needle: String, expected: Bool) throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        try Data(text.utf8).write(to: URL(fileURLWithPath: dir.file("p")))
        let file = try #require(RawFile.read(path: dir.file("p"), maxSize: 100))
        defer { file.free() }
        let found: Bool
        switch needle {
        case "{PLAIN}": found = file.contains("{PLAIN}")
        case "{SCRAM-": found = file.contains("{SCRAM-")
        default: found = false
        }
        #expect(found == expected)
        let any = file.containsAny("{SCRAM-", "{PLAIN}", "{CLEARTEXT}")
        #expect(any == (text.contains("{SCRAM-") || text.contains("{PLAIN}") || text.contains("{CLEARTEXT}")))
    }

    @Test(
        "containsAny finds each of its three byte strings in one pass",
        arguments: [
            ("a:{SHA512-CRYPT}x\nb:{CLEARTEXT}pw\n", true), ("a:{SHA512-CRYPT}x\nb:{PLAIN}pw", true),
            ("{SCRAM-", true), ("a:{SHA512-CRYPT}x\nb:{BLF-CRYPT}y\n{", false), ("a:{PLAIN", false), ("", false),
            ("{CLEARTEXT", false),
        ])
    func containsAny(text: String, expected: Bool) throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        try Data(text.utf8).write(to: URL(fileURLWithPath: dir.file("p")))
        let file = try #require(RawFile.read(path: dir.file("p"), maxSize: 100))
        defer { file.free() }
        #expect(file.containsAny("{SCRAM-", "{PLAIN}", "{CLEARTEXT}") == expected)
    }

    @Test("writeAll writes every byte, and reports the errno of a write that fails")
    func writeAll() throws {
        let pipe = makePipe()
        // Less than a pipe's 64 KiB buffer: the write completes with nobody reading yet.
        let bytes = (0..<50_000).map { UInt8(truncatingIfNeeded: $0) }
        let result = bytes.withUnsafeBytes { RawFile.writeAll(pipe.write, $0) }
        close(pipe.write)
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(pipe.read, &buffer, buffer.count)
            if n <= 0 { break }
            received += buffer[..<n]
        }
        close(pipe.read)
        #expect(result == 0)
        #expect(received == bytes)

        let closed = makePipe()
        close(closed.read)
        signal(SIGPIPE, SIG_IGN)
        let failed = bytes.withUnsafeBytes { RawFile.writeAll(closed.write, $0) }
        close(closed.write)
        #expect(failed == EPIPE)
    }
}
