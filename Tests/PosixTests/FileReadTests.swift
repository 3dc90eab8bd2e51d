import Foundation
import Glibc
import Testing

@testable import Posix

@Suite("FileRead")
struct FileReadTests {
    @Test("reads a whole file, empty or larger than one read")
    func readsWholeFile() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let big = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        try Data(big).write(to: URL(fileURLWithPath: dir.file("big")))
        try Data().write(to: URL(fileURLWithPath: dir.file("empty")))
        #expect(try FileRead.readFile(path: dir.file("big"), maxSize: 200_000) == big)
        #expect(try FileRead.readFile(path: dir.file("empty"), maxSize: 10) == [])
    }

    @Test("a file whose size fstat does not know (procfs) is read whole, past the first buffer")
    func unknownSize() throws {
        let bytes = try FileRead.readFile(path: "/proc/self/status", maxSize: 1 << 20)
        #expect(bytes.count > 64)
        #expect(bytes.last == 0x0A)
        #expect(String(decoding: bytes, as: UTF8.self).contains("\nPid:\t\(getpid())\n"))
    }

    @Test(
        "a size known from the caller's fstat only sizes the first read: a file that grew or shrank is read whole",
        arguments: [0, 1, 999, 1000, 1001, 3000])
    func knownSize(claimed: UInt64) throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let content = (0..<1000).map { UInt8(truncatingIfNeeded: $0 * 13) }
        try Data(content).write(to: URL(fileURLWithPath: dir.file("f")))
        let file = try FileSystemFile.openForReading(path: dir.file("f"), followLinks: false)
        #expect(try file.readAll(maxSize: 4000, knownSize: claimed) == content)
        #expect(throws: SystemError.self) { try file.readAll(maxSize: 999, knownSize: claimed) }
    }

    @Test("a FIFO is refused without waiting for a writer")
    func fifo() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        #expect(mkfifo(dir.file("fifo"), 0o600) == 0)
        let error = try #require(throws: SystemError.self) {
            try FileRead.readFile(path: dir.file("fifo"), maxSize: 100)
        }
        #expect(error.description == "read \(dir.file("fifo")): not a regular file")
    }

    @Test("refuses a file over the limit with EFBIG and a clear detail")
    func refusesLargeFile() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        try Data(repeating: 0x61, count: 101).write(to: URL(fileURLWithPath: dir.file("f")))
        let error = try #require(throws: SystemError.self) { try FileRead.readFile(path: dir.file("f"), maxSize: 100) }
        #expect(error.errno == EFBIG)
        #expect(error.description.contains("101"))
        #expect(error.description.contains("100"))
        #expect(error.description.contains(dir.file("f")))
    }

    @Test("a missing file throws ENOENT naming the path")
    func missing() throws {
        let error = try #require(throws: SystemError.self) {
            try FileRead.readFile(path: "/nonexistent/managesieved.conf", maxSize: 100)
        }
        #expect(error == SystemError(operation: "open", path: "/nonexistent/managesieved.conf", errno: ENOENT))
    }

    @Test("a directory or a device is not read")
    func notRegular() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        #expect(throws: SystemError(operation: "read", path: dir.path, errno: EISDIR)) {
            try FileRead.readFile(path: dir.path, maxSize: 100)
        }
        let error = try #require(throws: SystemError.self) { try FileRead.readFile(path: "/dev/zero", maxSize: 100) }
        #expect(error.errno == EINVAL)
    }

    @Test("exists and isReadable")
    func existsAndReadable() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        try Data([1]).write(to: URL(fileURLWithPath: dir.file("f")))
        #expect(FileRead.exists(dir.file("f")))
        #expect(FileRead.isReadable(dir.file("f")))
        #expect(!FileRead.exists(dir.file("missing")))
        #expect(!FileRead.isReadable(dir.file("missing")))
        // A dangling symbolic link exists (it is something at that path) but cannot be read.
        #expect(symlink("missing", dir.file("link")) == 0)
        #expect(FileRead.exists(dir.file("link")))
        #expect(!FileRead.isReadable(dir.file("link")))
    }
}
