import Glibc

/// Whole-file reads by path for small trusted inputs: the configuration file and the passwd-file. Both are
/// read as root before the privilege drop, so the size cap protects the process's memory from a
/// mistaken path (a log file, a device) rather than from an attacker.
public enum FileRead {
    /// Reads the regular file at `path` completely (a final link is followed). Throws when it cannot be
    /// opened, is not a regular file, or holds more than `maxSize` octets (see `FileSystemFile.readAll`).
    public static func readFile(path: String, maxSize: Int) throws(SystemError) -> [UInt8] {
        let file = try FileSystemFile.openForReading(path: path, followLinks: true)
        let status = try file.status()
        switch status.kind {
        case .regular: return try file.readAll(maxSize: maxSize, knownSize: status.size)
        case .directory: throw SystemError(operation: "read", path: path, errno: EISDIR)
        default: throw SystemError(operation: "read", path: path, errno: EINVAL, detail: "not a regular file")
        }
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
