import Foundation
import Glibc
import Testing

@testable import Posix

/// A fresh private directory under /tmp, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() {
        var template = Array("/tmp/posix-tests.XXXXXX".utf8CString)
        let result = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(result != nil, "mkdtemp failed")
        path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    func file(_ name: String) -> String { path + "/" + name }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// A pipe's two ends; both closed by `close()` unless already closed.
func makePipe() -> (read: Int32, write: Int32) {
    var fds: [Int32] = [-1, -1]
    precondition(pipe(&fds) == 0)
    for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
    return (fds[0], fds[1])
}

/// A connected AF_UNIX stream socket pair.
func makeSocketPair() -> (Int32, Int32) {
    var fds: [Int32] = [-1, -1]
    precondition(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0)
    return (fds[0], fds[1])
}

func setNonBlocking(_ fd: Int32) {
    let flags = fcntl(fd, F_GETFL)
    precondition(fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0)
}

/// Runs `body` in a forked child and returns its exit status (or -1 if it died by a signal). The child
/// must end with `_exit`; nothing of the test framework runs in it.
func runInChild(_ body: () -> Never) -> Int32 {
    let pid = fork()
    precondition(pid >= 0, "fork failed")
    if pid == 0 { body() }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    // WIFEXITED / WEXITSTATUS are macros Swift does not import.
    return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -1
}

/// Reads everything from `fd` until EOF on a background thread; `wait()` returns the bytes.
final class BackgroundReader: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var bytes: [UInt8] = []

    init(fd: Int32, chunkDelayMicroseconds: UInt32 = 0) {
        Thread.detachNewThread { [self] in
            var chunk = [UInt8](repeating: 0, count: 4096)
            while true {
                let n = read(fd, &chunk, chunk.count)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                bytes.append(contentsOf: chunk[0..<n])
                if chunkDelayMicroseconds > 0 { usleep(chunkDelayMicroseconds) }
            }
            done.signal()
        }
    }

    func wait() -> [UInt8] {
        done.wait()
        return bytes
    }
}

extension TemporaryDirectory {
    func write(_ relative: String, _ text: String) {
        let full = file(relative)
        try? FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        precondition(FileManager.default.createFile(atPath: full, contents: Data(text.utf8)))
    }

    func read(_ relative: String) -> String? {
        FileManager.default.contents(atPath: file(relative)).map { String(decoding: $0, as: UTF8.self) }
    }

    func symlink(_ relative: String, to target: String) {
        precondition(Glibc.symlink(target, file(relative)) == 0, "symlink failed")
    }

    func exists(_ relative: String) -> Bool {
        var st = stat()
        return lstat(file(relative), &st) == 0
    }

    func mode(_ relative: String) -> mode_t? {
        var st = stat()
        return lstat(file(relative), &st) == 0 ? st.st_mode & 0o7777 : nil
    }
}
