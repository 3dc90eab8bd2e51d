import Glibc

/// Whole-file reads for small trusted inputs: the configuration file and the passwd-file. Both are
/// read as root before the privilege drop, so the size cap protects the process's memory from a
/// mistaken path (a log file, a device) rather than from an attacker.
public enum FileRead {
    /// Reads the regular file at `path` completely. Throws when it cannot be opened, is not a regular
    /// file, or holds more than `maxSize` octets (errno EFBIG with a detail naming both sizes).
    public static func readFile(path: String, maxSize: Int) throws(SystemError) -> [UInt8] {
        // withCString hands over a native string's own bytes; passing `path` directly would copy it into a
        // temporary [CChar] (one more generic array type for the runtime to set up on every connection).
        let fd = path.withCString { cPath in SystemCall.retryingEINTR { open(cPath, O_RDONLY | O_CLOEXEC | O_NOCTTY) } }
        guard fd >= 0 else { throw SystemError(operation: "open \(path)", errno: errno) }
        defer { _ = close(fd) }

        var status = stat()
        guard fstat(fd, &status) == 0 else { throw SystemError(operation: "fstat \(path)", errno: errno) }
        let kind = status.st_mode & S_IFMT
        if kind == S_IFDIR { throw SystemError(operation: "read \(path)", errno: EISDIR) }
        guard kind == S_IFREG else {
            throw SystemError(operation: "read \(path)", errno: EINVAL, detail: "not a regular file")
        }
        if status.st_size > maxSize {
            throw tooLarge(path: path, size: Int(status.st_size), maxSize: maxSize)
        }

        // Read until EOF rather than trusting st_size: the file may change while we read it. The buffer is
        // sized to the file plus a page, uninitialised (no zero-filling); if the file grew past that, read
        // it again with a larger buffer. One octet over the limit tells "too large" from "exactly full".
        var capacity = min(Int(status.st_size) + 4096, maxSize + 1)
        while true {
            var failure: Int32 = 0
            let bytes = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, count in
                count = 0
                while count < capacity {
                    let result = SystemCall.retryingEINTR { read(fd, buffer.baseAddress! + count, capacity - count) }
                    if result < 0 {
                        failure = errno
                        return
                    }
                    if result == 0 { return }
                    count += result
                }
            }
            if failure != 0 { throw SystemError(operation: "read \(path)", errno: failure) }
            if bytes.count < capacity { return bytes }
            if bytes.count > maxSize { throw tooLarge(path: path, size: bytes.count, maxSize: maxSize) }
            capacity = min(capacity * 2, maxSize + 1)
            guard lseek(fd, 0, SEEK_SET) == 0 else { throw SystemError(operation: "lseek \(path)", errno: errno) }
        }
    }

    private static func tooLarge(path: String, size: Int, maxSize: Int) -> SystemError {
        SystemError(
            operation: "read \(path)", errno: EFBIG,
            detail: "file is \(size) octets or more, larger than the limit of \(maxSize)")
    }

    /// True when something exists at `path` (without following a final symbolic link).
    public static func exists(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0
    }

    /// True when the process may read `path` (access(2) with R_OK, which uses the real uid and gid).
    public static func isReadable(_ path: String) -> Bool {
        access(path, R_OK) == 0
    }

    /// True when this process may execute `path` (checked with the real uid, like `isReadable`).
    public static func isExecutable(_ path: String) -> Bool {
        access(path, X_OK) == 0
    }
}
