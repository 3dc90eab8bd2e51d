import Glibc

/// An open file made by `DirectoryHandle`; closed when released (which also drops any flock).
public final class FileSystemFile {
    public let descriptor: Int32
    /// The path it was opened by, for error messages only.
    public let path: String

    init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    deinit { close(descriptor) }

    /// `fstat` of the open file.
    public func status() throws(SystemError) -> FileSystemStatus {
        var st = stat()
        try FileSystem.retrying("stat", path) { fstat(descriptor, &st) }
        return FileSystemStatus(st)
    }

    /// Writes all of `bytes` (short writes are continued).
    public func write(_ bytes: [UInt8]) throws(SystemError) {
        var offset = 0
        while offset < bytes.count {
            let remaining = bytes.count - offset
            let result = bytes.withUnsafeBytes { raw in
                Glibc.write(descriptor, raw.baseAddress! + offset, min(remaining, 1 << 30))
            }
            if result < 0 {
                let code = Glibc.errno
                if code == EINTR { continue }
                throw SystemError(operation: "write", path: path, errno: code)
            }
            if result == 0 { throw SystemError(operation: "write", path: path, errno: EIO) }
            offset += result
        }
    }

    /// Reads from the current offset to the end of the file.
    public func readAll() throws(SystemError) -> [UInt8] {
        var result: [UInt8] = []
        let expected = (try? status().size).map { Int(clamping: $0) } ?? 0
        result.reserveCapacity(min(expected, 64 << 20))
        // Sized by fstat (plus one, to see the end in the same call): zero-filling 64 KiB for a script of a
        // few hundred octets cost more than the read itself when a command reads many scripts.
        var chunk = [UInt8](repeating: 0, count: min(65_536, max(4_096, expected + 1)))
        while true {
            let count = chunk.withUnsafeMutableBytes { raw in Glibc.read(descriptor, raw.baseAddress!, raw.count) }
            if count < 0 {
                let code = Glibc.errno
                if code == EINTR { continue }
                throw SystemError(operation: "read", path: path, errno: code)
            }
            if count == 0 { return result }
            result.append(contentsOf: chunk[0..<count])
        }
    }

    /// fsync: data and metadata reach the disk.
    public func sync() throws(SystemError) {
        try FileSystem.retrying("fsync", path) { fsync(descriptor) }
    }

    /// Tries to take an exclusive flock without waiting; `false` if another open file holds it.
    public func tryLockExclusive() throws(SystemError) -> Bool {
        do {
            try FileSystem.retrying("flock", path) { flock(descriptor, LOCK_EX | LOCK_NB) }
            return true
        } catch {
            if error.errno == EWOULDBLOCK || error.errno == EAGAIN { return false }
            throw error
        }
    }

    /// Releases a flock.
    public func unlock() throws(SystemError) {
        try FileSystem.retrying("flock", path) { flock(descriptor, LOCK_UN) }
    }
}
