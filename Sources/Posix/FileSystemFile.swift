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

    /// Reads the whole regular file (from its start, whatever the offset) into a buffer of its own. Throws EFBIG,
    /// with a detail naming both sizes, when it holds more than `maxSize` octets: every whole-file read in the
    /// project goes through here, so none can grow without bound on a mistaken or planted file.
    public func readAll(maxSize: Int) throws(SystemError) -> [UInt8] {
        try readAll(maxSize: maxSize, knownSize: try status().size)
    }

    /// `readAll(maxSize:)` for a caller that has just taken the open file's status and found it regular:
    /// `knownSize` is that status's size, so the file is not asked again. It only sizes the first read; the
    /// file is still read to its end, whether it grew or shrank since.
    public func readAll(maxSize: Int, knownSize: UInt64) throws(SystemError) -> [UInt8] {
        let size = Int(clamping: knownSize)
        if size > maxSize { throw tooLarge(size: size, maxSize: maxSize) }
        // Read until EOF rather than trusting st_size: the file may change while we read it. The buffer is
        // sized to the file plus one octet, uninitialised (no zero-filling), so one pread returning fewer
        // octets than asked, after at least the size fstat reported, shows the end: a regular file returns
        // short only there, and an EOF-probing pread costs every connection a system call per file. If the
        // file grew past that, it is read again into a larger one, to a zero-length read this time (a file
        // whose size fstat does not know, as in procfs, goes that way). One octet over the limit tells
        // "too large" from "exactly full".
        var capacity = min(size + 1, maxSize + 1)
        var endAfter = size
        while true {
            var failure: SystemError?
            let bytes = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
                do throws(SystemError) {
                    count = try read(at: 0, into: UnsafeMutableRawBufferPointer(buffer), shortAfter: endAfter)
                } catch {
                    failure = error
                    count = 0
                }
            }
            if let failure { throw failure }
            if bytes.count < capacity { return bytes }
            if bytes.count > maxSize { throw tooLarge(size: bytes.count, maxSize: maxSize) }
            capacity = min(capacity * 2, maxSize + 1)
            endAfter = Int.max
        }
    }

    private func tooLarge(size: Int, maxSize: Int) -> SystemError {
        SystemError(
            operation: "read", path: path, errno: EFBIG,
            detail: "file is \(size) octets or more, larger than the limit of \(maxSize)")
    }

    /// Cuts the file to nothing (`ftruncate` to 0).
    public func truncate() throws(SystemError) {
        try FileSystem.retrying("truncate", path) { ftruncate(descriptor, 0) }
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
