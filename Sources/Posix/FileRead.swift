import Glibc

/// Whole-file reads for small trusted inputs: the configuration file and the passwd-file. Both are
/// read as root before the privilege drop, so the size cap protects the process's memory from a
/// mistaken path (a log file, a device) rather than from an attacker.
public enum FileRead {
    /// Reads the regular file at `path` completely. Throws when it cannot be opened, is not a regular
    /// file, or holds more than `maxSize` octets (errno EFBIG with a detail naming both sizes).
    public static func readFile(path: String, maxSize: Int) throws(IOError) -> [UInt8] {
        let fd = SystemCall.retryingEINTR { open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY) }
        guard fd >= 0 else { throw IOError(operation: "open \(path)", errno: errno) }
        defer { _ = close(fd) }

        var status = stat()
        guard fstat(fd, &status) == 0 else { throw IOError(operation: "fstat \(path)", errno: errno) }
        let kind = status.st_mode & S_IFMT
        if kind == S_IFDIR { throw IOError(operation: "read \(path)", errno: EISDIR) }
        guard kind == S_IFREG else {
            throw IOError(operation: "read \(path)", errno: EINVAL, detail: "not a regular file")
        }
        if status.st_size > maxSize {
            throw tooLarge(path: path, size: Int(status.st_size), maxSize: maxSize)
        }

        // Read until EOF rather than trusting st_size: the file may change while we read it. One octet
        // of slack lets a file that grew past the limit be detected instead of silently truncated.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(status.st_size) + 1)
        while true {
            // Chunks sized to the file (at least a page), not a fixed 64 KiB: every chunk is zero-filled
            // first, and touching 64 KiB for a 200-octet config costs page faults on every connection.
            let chunk = min(max(Int(status.st_size) + 1 - bytes.count, 4096), 65_536, maxSize + 1 - bytes.count)
            if chunk <= 0 { throw tooLarge(path: path, size: bytes.count, maxSize: maxSize) }
            let oldCount = bytes.count
            bytes.append(contentsOf: repeatElement(0, count: chunk))
            let result = bytes.withUnsafeMutableBytes { raw in
                SystemCall.retryingEINTR { read(fd, raw.baseAddress! + oldCount, chunk) }
            }
            let code = errno
            bytes.removeLast(chunk - max(0, result))
            if result < 0 { throw IOError(operation: "read \(path)", errno: code) }
            if result == 0 { return bytes }
        }
    }

    private static func tooLarge(path: String, size: Int, maxSize: Int) -> IOError {
        IOError(
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
}
