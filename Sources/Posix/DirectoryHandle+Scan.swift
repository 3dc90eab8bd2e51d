import Glibc

/// One directory entry as `DirectoryHandle.scan` passes it: its name's octets in place, in readdir's buffer,
/// so valid only during the call that receives it.
public struct DirectoryEntry {
    /// The name's octets, without the terminating NUL; not necessarily UTF-8.
    public let name: UnsafeBufferPointer<UInt8>
    /// The type readdir reports; `nil` when the file system does not say (DT_UNKNOWN): ask `status()` then.
    public let kind: FileSystemStatus.Kind?
    let directory: DirectoryHandle
    let cName: UnsafePointer<CChar>

    /// `fstatat` of the entry, not following a link; `nil` if it is gone by now.
    public func status() throws(SystemError) -> FileSystemStatus? {
        var st = stat()
        while fstatat(directory.descriptor, cName, &st, AT_SYMLINK_NOFOLLOW) != 0 {
            let code = Glibc.errno
            if code == EINTR { continue }
            if code == ENOENT { return nil }
            let name = String(decoding: self.name, as: UTF8.self)
            throw SystemError(
                operation: "stat",
                path: directory.path.hasSuffix("/") ? directory.path + name : directory.path + "/" + name,
                errno: code)
        }
        return FileSystemStatus(st)
    }
}

extension DirectoryHandle {
    /// Calls `body` for every entry but "." and ".." in readdir's order, with the type getdents reports and
    /// without a String or a stat per entry: listing a directory of thousands of scripts is then one
    /// getdents per few hundred names, where making names and stat'ing each was most of its time.
    public func scan(_ body: (DirectoryEntry) throws(SystemError) -> Void) throws(SystemError) {
        let copy = try FileSystem.retrying("dup", path) { fcntl(descriptor, F_DUPFD_CLOEXEC, 3) }
        guard let stream = fdopendir(copy) else {
            let code = Glibc.errno
            close(copy)
            throw SystemError(operation: "opendir", path: path, errno: code)
        }
        defer { closedir(stream) }
        // The duplicate shares the offset with `descriptor`: start from the beginning every time.
        rewinddir(stream)
        let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!
        while true {
            Glibc.errno = 0
            guard let entry = readdir(stream) else {
                let code = Glibc.errno
                if code != 0 { throw SystemError(operation: "readdir", path: path, errno: code) }
                return
            }
            let cName = (UnsafeRawPointer(entry) + nameOffset).assumingMemoryBound(to: CChar.self)
            let length = strlen(cName)
            let name = UnsafeBufferPointer(
                start: UnsafeRawPointer(cName).assumingMemoryBound(to: UInt8.self), count: length)
            if name[0] == UInt8(ascii: ".") && (length == 1 || (length == 2 && name[1] == UInt8(ascii: "."))) {
                continue
            }
            let kind: FileSystemStatus.Kind? =
                switch Int32(entry.pointee.d_type) {
                case Int32(DT_REG): .regular
                case Int32(DT_DIR): .directory
                case Int32(DT_LNK): .symbolicLink
                case Int32(DT_UNKNOWN): nil
                default: .other
                }
            try body(DirectoryEntry(name: name, kind: kind, directory: self, cName: cName))
        }
    }
}
