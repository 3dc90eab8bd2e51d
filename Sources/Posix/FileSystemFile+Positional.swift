import Glibc

/// Which file, and which version of it: what an index made from a file records so that a later reader can
/// tell, from one `fstat`, whether the file changed since. Any write changes the change time (ctime),
/// a replacement by rename changes the inode.
public struct FileVersion: Equatable, Sendable {
    public var device: UInt64
    public var inode: UInt64
    public var size: UInt64
    public var modificationSeconds: Int64
    public var modificationNanoseconds: Int64
    public var changeSeconds: Int64
    public var changeNanoseconds: Int64

    public init(
        device: UInt64, inode: UInt64, size: UInt64, modificationSeconds: Int64, modificationNanoseconds: Int64,
        changeSeconds: Int64, changeNanoseconds: Int64
    ) {
        self.device = device
        self.inode = inode
        self.size = size
        self.modificationSeconds = modificationSeconds
        self.modificationNanoseconds = modificationNanoseconds
        self.changeSeconds = changeSeconds
        self.changeNanoseconds = changeNanoseconds
    }
}

/// Who owns a file and who may write it, for deciding whether to trust what it says.
public struct FileOwnership: Equatable, Sendable {
    public var owner: UInt32
    /// The permission bits (`st_mode & 0o7777`).
    public var permissions: UInt32
    public var isRegular: Bool
    /// Writable by its group or by others.
    public var isWritableByOthers: Bool { permissions & 0o022 != 0 }
}

extension FileSystemFile {
    /// Opens a file read-only by path; a final symbolic link is followed only when `followLinks` is set
    /// (ELOOP otherwise). O_NONBLOCK keeps a FIFO planted at the path from blocking the open.
    public static func openForReading(path: String, followLinks: Bool) throws(SystemError) -> FileSystemFile {
        let flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | (followLinks ? 0 : O_NOFOLLOW)
        // withCString hands over a native string's own bytes; passing `path` directly would copy it into a
        // temporary [CChar] (one more generic array type for the runtime to set up on every connection).
        let fd = try FileSystem.opening("open", path) { path.withCString { open($0, flags) } }
        return FileSystemFile(descriptor: fd, path: path)
    }

    /// The open file's version (`fstat`).
    public func version() throws(SystemError) -> (version: FileVersion, ownership: FileOwnership) {
        var st = stat()
        try FileSystem.retrying("stat", path) { fstat(descriptor, &st) }
        let version = FileVersion(
            device: UInt64(st.st_dev), inode: UInt64(st.st_ino), size: st.st_size < 0 ? 0 : UInt64(st.st_size),
            modificationSeconds: Int64(st.st_mtim.tv_sec), modificationNanoseconds: Int64(st.st_mtim.tv_nsec),
            changeSeconds: Int64(st.st_ctim.tv_sec), changeNanoseconds: Int64(st.st_ctim.tv_nsec))
        let ownership = FileOwnership(
            owner: st.st_uid, permissions: UInt32(st.st_mode & 0o7777), isRegular: st.st_mode & S_IFMT == S_IFREG)
        return (version, ownership)
    }

    /// `pread` into `buffer` from `offset` until it is full or the file ends; returns the octets read.
    public func read(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws(SystemError) -> Int {
        try read(at: offset, into: buffer, shortAfter: Int.max)
    }

    /// `pread` into `buffer` from `offset` until it is full, a read returns nothing, or one returns short once at
    /// least `shortAfter` octets are in (a regular file returns short only at its end).
    func read(
        at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer, shortAfter: Int
    ) throws(SystemError) -> Int {
        var done = 0
        while done < buffer.count {
            let result = pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset) + off_t(done))
            if result < 0 {
                let code = Glibc.errno
                if code == EINTR { continue }
                throw SystemError(operation: "read", path: path, errno: code)
            }
            if result == 0 { break }
            done += result
            if done >= shortAfter { break }
        }
        return done
    }

    /// Takes an exclusive flock, waiting at most `timeoutMilliseconds`; `false` when it stayed taken.
    public func lockExclusive(timeoutMilliseconds: Int) throws(SystemError) -> Bool {
        let deadline = FileSystem.monotonicMilliseconds() + Int64(max(0, timeoutMilliseconds))
        var pause = 2
        while !(try tryLockExclusive()) {
            let now = FileSystem.monotonicMilliseconds()
            guard now < deadline else { return false }
            FileSystem.sleep(milliseconds: Int(min(Int64(pause), deadline - now)))
            pause = min(pause * 2, 50)
        }
        return true
    }
}
