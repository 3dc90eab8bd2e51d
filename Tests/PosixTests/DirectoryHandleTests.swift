import Foundation
import Glibc
import Posix
import Testing

@Suite("DirectoryHandle")
struct DirectoryHandleTests {
    @Test("renameNoReplace refuses an existing target and keeps both files")
    func renameNoReplace() throws {
        let home = TemporaryDirectory()
        defer { home.remove() }
        home.write("a", "A")
        home.write("b", "B")
        let directory = try DirectoryHandle(path: home.path)
        #expect(throws: SystemError.self) { try directory.renameNoReplace("a", to: "b") }
        do {
            try directory.renameNoReplace("a", to: "b")
        } catch {
            #expect(error.isAlreadyExists)
        }
        #expect(home.read("a") == "A")
        #expect(home.read("b") == "B")
        try directory.renameNoReplace("a", to: "c")
        #expect(home.read("c") == "A")
        #expect(!home.exists("a"))
    }

    @Test("createExclusive does not follow or replace an existing entry")
    func createExclusive() throws {
        let home = TemporaryDirectory()
        defer { home.remove() }
        home.write("target", "T")
        home.symlink("link", to: "target")
        let directory = try DirectoryHandle(path: home.path)
        #expect(throws: SystemError.self) { try directory.createExclusive("link") }
        #expect(throws: SystemError.self) { try directory.createExclusive("target") }
        let file = try directory.createExclusive("new", mode: 0o600)
        try file.write(Array("hello".utf8))
        try file.sync()
        #expect(home.read("new") == "hello")
        #expect(home.mode("new") == 0o600)
        #expect(home.read("target") == "T")
    }

    @Test("a file opened while descriptors 0-2 are closed lands above them (they belong to the protocol and the log)")
    func aboveStandardDescriptors() {
        let status = runInChild {
            _ = close(0)
            _ = close(2)
            guard let directory = try? DirectoryHandle(path: "/tmp"), directory.descriptor > 2 else { _exit(10) }
            guard let file = try? FileSystemFile.openForReading(path: "/proc/self/status", followLinks: true),
                file.descriptor > 2
            else { _exit(11) }
            guard fcntl(0, F_GETFD) == -1, fcntl(2, F_GETFD) == -1 else { _exit(12) }
            _exit(0)
        }
        #expect(status == 0)
    }

    @Test("readFile refuses links and files over its bound, and reads large files whole")
    func readFile() throws {
        let home = TemporaryDirectory()
        defer { home.remove() }
        let big = String(repeating: "0123456789", count: 50_000)
        home.write("big", big)
        home.symlink("link", to: "big")
        let directory = try DirectoryHandle(path: home.path)
        #expect(try directory.readFile("big", maxSize: big.utf8.count) == Array(big.utf8))
        let error = try #require(throws: SystemError.self) {
            try directory.readFile("big", maxSize: big.utf8.count - 1)
        }
        #expect(error.errno == EFBIG)
        #expect(error.path == home.path + "/big")
        do {
            _ = try directory.readFile("link", maxSize: 1 << 20)
            Issue.record("a link was followed")
        } catch {
            #expect(error.isSymbolicLink)
        }
        do {
            _ = try directory.readFile("missing", maxSize: 1 << 20)
            Issue.record("a missing file was read")
        } catch {
            #expect(error.isNotFound)
        }
    }

    @Test("status, links, entries and unlink")
    func statusAndLinks() throws {
        let home = TemporaryDirectory()
        defer { home.remove() }
        home.write("f", "12345")
        let directory = try DirectoryHandle(path: home.path)
        try directory.createSymbolicLink("l", target: String(repeating: "x/", count: 300) + "end")
        try directory.makeDirectory("d")
        try directory.link("f", to: "g")
        #expect(try directory.status("f")?.kind == .regular)
        #expect(try directory.status("f")?.size == 5)
        #expect(try directory.status("l")?.kind == .symbolicLink)
        #expect(try directory.status("d")?.kind == .directory)
        #expect(try directory.status("missing") == nil)
        #expect(try directory.readSymbolicLink("l") == String(repeating: "x/", count: 300) + "end")
        #expect(try directory.readSymbolicLink("f") == nil)
        #expect(try directory.readSymbolicLink("missing") == nil)
        #expect(try directory.entries().sorted() == ["d", "f", "g", "l"])
        // A second listing starts from the beginning again.
        #expect(try directory.entries().count == 4)
        try directory.unlink("l")
        try directory.unlink("g")
        try directory.sync()
        #expect(try directory.entries().sorted() == ["d", "f"])
        #expect(try directory.openDirectory("d").entries() == [])
    }

    @Test("makeDirectories creates parents and accepts existing ones")
    func makeDirectories() throws {
        let home = TemporaryDirectory()
        defer { home.remove() }
        try FileSystem.makeDirectories(home.path + "/a/b/c", mode: 0o700)
        try FileSystem.makeDirectories(home.path + "/a/b/c", mode: 0o700)
        #expect(home.mode("a/b/c") == 0o700)
        home.write("file", "x")
        #expect(throws: SystemError.self) { try FileSystem.makeDirectories(home.path + "/file") }
        #expect(throws: SystemError.self) { try FileSystem.makeDirectories("relative/path") }
    }

    @Test("processExists tells live from dead processes")
    func processExists() {
        #expect(FileSystem.processExists(getpid()))
        #expect(FileSystem.processExists(1))
        #expect(!FileSystem.processExists(0))
        #expect(!FileSystem.processExists(-5))
    }
}
