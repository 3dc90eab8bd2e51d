import Glibc

/// A small root-only file holding a server secret that must outlive one process (every connection is a new
/// process, yet some answers must look the same on every connection).
public enum SecretFile {
    /// The secret at `path`; when the file does not exist it is made from `makeContent()`: written to a
    /// temporary file (mode 0600) in the same directory, which is created (0700) when its parent exists, then
    /// linked to `path`. link(2) never replaces a file, so when several processes race, every one of them
    /// ends up reading the one that was linked first, and no reader ever sees a half-written file.
    ///
    /// Throws when the file cannot be read or made, or holds fewer than `minimumLength` octets.
    public static func loadOrCreate(
        path: String, minimumLength: Int, makeContent: () -> [UInt8]
    ) throws(SystemError) -> [UInt8] {
        for _ in 0..<2 {
            do {
                return try read(path: path, minimumLength: minimumLength)
            } catch  where error.errno == ENOENT {
                try create(path: path, content: makeContent())
            }
        }
        return try read(path: path, minimumLength: minimumLength)
    }

    static func read(path: String, minimumLength: Int) throws(SystemError) -> [UInt8] {
        let bytes = try FileRead.readFile(path: path, maxSize: 4096)
        guard bytes.count >= minimumLength else {
            throw SystemError(
                operation: "read \(path)", errno: EINVAL,
                detail: "holds \(bytes.count) octets, fewer than the \(minimumLength) a secret needs")
        }
        return bytes
    }

    static func create(path: String, content: [UInt8]) throws(SystemError) {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else {
            throw SystemError(operation: "create \(path)", errno: EINVAL, detail: "not an absolute path")
        }
        let directory = String(path[..<slash])
        if mkdir(directory, 0o700) != 0 && errno != EEXIST {
            throw SystemError(operation: "mkdir \(directory)", errno: errno)
        }
        let temporary = "\(path).\(getpid()).tmp"
        let fd = SystemCall.retryingEINTR {
            open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0o600)
        }
        guard fd >= 0 else { throw SystemError(operation: "create \(temporary)", errno: errno) }
        defer { _ = unlink(temporary) }
        var written = 0
        while written < content.count {
            let result = content.withUnsafeBytes { raw in
                SystemCall.retryingEINTR { write(fd, raw.baseAddress! + written, raw.count - written) }
            }
            guard result > 0 else {
                let code = result < 0 ? errno : ENOSPC
                _ = close(fd)
                throw SystemError(operation: "write \(temporary)", errno: code)
            }
            written += result
        }
        guard fsync(fd) == 0 else {
            let code = errno
            _ = close(fd)
            throw SystemError(operation: "fsync \(temporary)", errno: code)
        }
        _ = close(fd)
        if link(temporary, path) != 0 && errno != EEXIST {
            throw SystemError(operation: "link \(path)", errno: errno)
        }
    }
}
