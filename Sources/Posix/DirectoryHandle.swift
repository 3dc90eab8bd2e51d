import Glibc

/// An open directory (O_DIRECTORY|O_CLOEXEC). Every operation names an entry relative to it, so a path
/// above it being swapped for a link changes nothing; final components are never followed unless asked.
/// Closed when released.
public final class DirectoryHandle {
    public let descriptor: Int32
    /// The path it was opened by, for error messages only.
    public let path: String

    /// Opens the directory at an absolute or relative `path` (links in the path are followed).
    public init(path: String) throws(SystemError) {
        let fd = try FileSystem.opening("open", path) { open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
        self.descriptor = fd
        self.path = path
    }

    private init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    deinit { close(descriptor) }

    private func display(_ name: String) -> String {
        path.hasSuffix("/") ? path + name : path + "/" + name
    }

    /// Opens the subdirectory `name`, not following a link there.
    public func openDirectory(_ name: String) throws(SystemError) -> DirectoryHandle {
        let fd = try FileSystem.opening("open", display(name)) {
            openat(descriptor, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW)
        }
        return DirectoryHandle(descriptor: fd, path: display(name))
    }

    /// `fstatat`; `nil` when the entry does not exist (ENOENT).
    public func status(_ name: String, followLinks: Bool = false) throws(SystemError) -> FileSystemStatus? {
        var st = stat()
        let flags = followLinks ? 0 : AT_SYMLINK_NOFOLLOW
        do {
            try FileSystem.retrying("stat", display(name)) { fstatat(descriptor, name, &st, flags) }
        } catch {
            if error.errno == ENOENT { return nil }
            throw error
        }
        return FileSystemStatus(st)
    }

    /// Opens an existing regular file for reading without following a link (ELOOP if it is one)
    /// and without blocking on a FIFO; anything but a regular file fails with EINVAL.
    public func openForReading(_ name: String) throws(SystemError) -> FileSystemFile {
        let file = try openNonBlocking(name)
        _ = try regularSize(of: file, name)
        return file
    }

    private func openNonBlocking(_ name: String) throws(SystemError) -> FileSystemFile {
        let fd = try FileSystem.opening("open", display(name)) {
            openat(descriptor, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY)
        }
        return FileSystemFile(descriptor: fd, path: display(name))
    }

    /// The open file's size; EINVAL when it is not a regular file.
    private func regularSize(of file: FileSystemFile, _ name: String) throws(SystemError) -> UInt64 {
        let status = try file.status()
        guard status.kind == .regular else {
            throw SystemError(operation: "open", path: display(name), errno: EINVAL)
        }
        return status.size
    }

    /// Creates a new file exclusively (O_CREAT|O_EXCL|O_NOFOLLOW) for writing; `appending` adds O_APPEND, so
    /// that every write lands whole at the end.
    public func createExclusive(
        _ name: String, mode: mode_t = 0o600, appending: Bool = false
    ) throws(SystemError) -> FileSystemFile {
        let flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | (appending ? O_APPEND : 0)
        let fd = try FileSystem.opening("create", display(name)) { openat(descriptor, name, flags, mode) }
        return FileSystemFile(descriptor: fd, path: display(name))
    }

    /// Opens or creates a file for reading and writing without following a link (for lock files).
    public func openOrCreate(_ name: String, mode: mode_t = 0o600) throws(SystemError) -> FileSystemFile {
        let fd = try FileSystem.opening("open", display(name)) {
            openat(descriptor, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, mode)
        }
        return FileSystemFile(descriptor: fd, path: display(name))
    }

    /// Reads a whole regular file of at most `maxSize` octets (see `openForReading` and
    /// `FileSystemFile.readAll`).
    public func readFile(_ name: String, maxSize: Int) throws(SystemError) -> [UInt8] {
        let file = try openNonBlocking(name)
        return try file.readAll(maxSize: maxSize, knownSize: try regularSize(of: file, name))
    }

    /// `renameat` within this directory (replacing `newName` atomically if it exists).
    public func rename(_ oldName: String, to newName: String) throws(SystemError) {
        try rename(oldName, to: newName, in: self)
    }

    /// `renameat` from this directory into `directory`.
    public func rename(_ oldName: String, to newName: String, in directory: DirectoryHandle) throws(SystemError) {
        try FileSystem.retrying("rename", display(oldName)) {
            renameat(descriptor, oldName, directory.descriptor, newName)
        }
    }

    /// `renameat2(RENAME_NOREPLACE)`: fails with EEXIST if `newName` exists. Where the file system cannot do it
    /// (EINVAL/ENOSYS), falls back to link + unlink, which refuses to replace too.
    public func renameNoReplace(_ oldName: String, to newName: String) throws(SystemError) {
        do {
            try FileSystem.retrying("rename", display(oldName)) {
                fileSystemRenameat2(descriptor, oldName, descriptor, newName, FileSystem.renameNoReplace)
            }
        } catch {
            guard error.errno == EINVAL || error.errno == ENOSYS else { throw error }
            try link(oldName, to: newName)
            try unlink(oldName)
        }
    }

    /// `linkat` (a new hard link `newName` to `oldName`, not following a link); EEXIST if it exists.
    public func link(_ oldName: String, to newName: String) throws(SystemError) {
        try FileSystem.retrying("link", display(newName)) { linkat(descriptor, oldName, descriptor, newName, 0) }
    }

    /// `linkat` from this directory into `directory` (not following a link); EEXIST if `newName` exists there.
    public func link(_ oldName: String, to newName: String, in directory: DirectoryHandle) throws(SystemError) {
        try FileSystem.retrying("link", directory.display(newName)) {
            linkat(descriptor, oldName, directory.descriptor, newName, 0)
        }
    }

    /// `unlinkat(AT_REMOVEDIR)` of an empty subdirectory.
    public func removeDirectory(_ name: String) throws(SystemError) {
        try FileSystem.retrying("rmdir", display(name)) { unlinkat(descriptor, name, AT_REMOVEDIR) }
    }

    /// `unlinkat` of a non-directory.
    public func unlink(_ name: String) throws(SystemError) {
        try FileSystem.retrying("unlink", display(name)) { unlinkat(descriptor, name, 0) }
    }

    /// `symlinkat`: creates `name` as a link holding `target`.
    public func createSymbolicLink(_ name: String, target: String) throws(SystemError) {
        try FileSystem.retrying("symlink", display(name)) { symlinkat(target, descriptor, name) }
    }

    /// `readlinkat`: the target of the link `name`; `nil` if it does not exist or is not a link.
    public func readSymbolicLink(_ name: String) throws(SystemError) -> String? {
        var capacity = 256
        while true {
            var buffer = [CChar](repeating: 0, count: capacity)
            let count: Int
            do {
                count = Int(
                    try FileSystem.retrying("readlink", display(name)) {
                        Int32(truncatingIfNeeded: readlinkat(descriptor, name, &buffer, capacity))
                    })
            } catch {
                if error.errno == ENOENT || error.errno == EINVAL { return nil }
                throw error
            }
            if count < capacity {
                return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
            guard capacity < 65_536 else {
                throw SystemError(operation: "readlink", path: display(name), errno: ENAMETOOLONG)
            }
            capacity *= 4
        }
    }

    /// `mkdirat`; EEXIST if something exists there.
    public func makeDirectory(_ name: String, mode: mode_t = 0o700) throws(SystemError) {
        try FileSystem.retrying("mkdir", display(name)) { mkdirat(descriptor, name, mode) }
    }

    /// The names in the directory (without "." and ".."); names that are not valid UTF-8 are skipped.
    public func entries() throws(SystemError) -> [String] {
        var names: [String] = []
        try scan { entry throws(SystemError) in
            if let name = String(validating: entry.name, as: UTF8.self) { names.append(name) }
        }
        return names
    }

    /// fsync of the directory itself, making renames and unlinks in it durable.
    public func sync() throws(SystemError) {
        try FileSystem.retrying("fsync", path) { fsync(descriptor) }
    }
}
