internal import CLinux
import Glibc

// File-system system calls for the script store: everything relative to a directory fd (*at calls),
// O_CLOEXEC everywhere, O_NOFOLLOW where a final component must not be a link, EINTR retried.

/// What `fstatat` says about one directory entry.
public struct FileSystemStatus: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        case regular
        case directory
        case symbolicLink
        case other
    }
    public var kind: Kind
    public var size: UInt64
    /// Last modification, seconds since the epoch.
    public var modificationTime: Int64
    /// The file's identity (device and inode) and how many names it has.
    public var device: UInt64
    public var inode: UInt64
    public var linkCount: UInt64

    init(_ st: stat) {
        switch st.st_mode & S_IFMT {
        case S_IFREG: kind = .regular
        case S_IFDIR: kind = .directory
        case S_IFLNK: kind = .symbolicLink
        default: kind = .other
        }
        size = st.st_size < 0 ? 0 : UInt64(st.st_size)
        modificationTime = Int64(st.st_mtim.tv_sec)
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
        linkCount = UInt64(st.st_nlink)
    }
}

/// renameat2(2), from the CLinux shim (glibc declares it only under _GNU_SOURCE).
func fileSystemRenameat2(
    _ oldDirectory: Int32, _ oldPath: UnsafePointer<CChar>, _ newDirectory: Int32, _ newPath: UnsafePointer<CChar>,
    _ flags: UInt32
) -> Int32 {
    renameat2(oldDirectory, oldPath, newDirectory, newPath, flags)
}

/// Helpers that are not tied to one directory.
public enum FileSystem {
    /// `RENAME_NOREPLACE` from <linux/fs.h>.
    static let renameNoReplace: UInt32 = 1

    /// Runs `body` until it stops failing with EINTR; returns its result or throws errno.
    @discardableResult
    static func retrying(
        _ operation: String, _ path: String, _ body: () -> Int32
    ) throws(SystemError) -> Int32 {
        while true {
            let result = body()
            if result >= 0 { return result }
            let code = Glibc.errno
            if code == EINTR { continue }
            throw SystemError(operation: operation, path: path, errno: code)
        }
    }

    /// Runs an open-like `body` (EINTR retried) and moves the descriptor it returns above 2: descriptors 0-2
    /// belong to the protocol and the log, and a file opened while one of them was closed must not take its
    /// place (a log line would land in it).
    static func opening(_ operation: String, _ path: String, _ body: () -> Int32) throws(SystemError) -> Int32 {
        let fd = try retrying(operation, path, body)
        guard fd <= 2 else { return fd }
        let moved = fcntl(fd, F_DUPFD_CLOEXEC, Int32(3))
        let code = Glibc.errno
        _ = close(fd)
        guard moved >= 0 else { throw SystemError(operation: operation, path: path, errno: code) }
        return moved
    }

    /// `mkdir -p`: creates `path` and any missing parents with `mode`; existing directories are fine.
    /// Each directory created is made durable by an fsync of its parent.
    public static func makeDirectories(_ path: String, mode: mode_t = 0o700) throws(SystemError) {
        guard path.hasPrefix("/") else {
            throw SystemError(operation: "mkdir", path: path, errno: EINVAL)
        }
        var current = ""
        for component in path.split(separator: "/") {
            let parent = current.isEmpty ? "/" : current
            current += "/" + component
            if mkdir(current, mode) == 0 {
                let parentHandle = try DirectoryHandle(path: parent)
                try parentHandle.sync()
                continue
            }
            let code = Glibc.errno
            guard code == EEXIST else { throw SystemError(operation: "mkdir", path: current, errno: code) }
        }
        var st = stat()
        if stat(path, &st) != 0 { throw SystemError(operation: "stat", path: path, errno: Glibc.errno) }
        if st.st_mode & S_IFMT != S_IFDIR { throw SystemError(operation: "mkdir", path: path, errno: ENOTDIR) }
    }

    /// Whether a process with this id exists (`kill(pid, 0)` does not fail with ESRCH).
    public static func processExists(_ pid: Int32) -> Bool {
        guard pid > 0 else { return false }
        if kill(pid, 0) == 0 { return true }
        return Glibc.errno != ESRCH
    }

    /// This process's id.
    public static var processID: Int32 { getpid() }

    /// Seconds since the epoch.
    public static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec)
    }

    /// A monotonic clock in milliseconds, for bounded waits.
    public static func monotonicMilliseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    /// Sleeps for about `milliseconds`.
    public static func sleep(milliseconds: Int) {
        var request = timespec(tv_sec: milliseconds / 1000, tv_nsec: (milliseconds % 1000) * 1_000_000)
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && Glibc.errno == EINTR {
            request = remaining
        }
    }
}
