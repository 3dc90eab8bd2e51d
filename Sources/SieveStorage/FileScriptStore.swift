import Posix

/// One user's scripts in Pigeonhole's layout, so its delivery agent reads them:
/// `NAME.sieve` files in the storage directory and the active script as a symlink at `activeLinkPath`
/// whose target is a relative path into the storage (`sieve/foo.sieve` for `~/.dovecot.sieve` and `~/sieve`).
///
/// Every operation goes through an O_DIRECTORY descriptor of the storage (*at calls, O_NOFOLLOW on final
/// components), so nothing outside it is touched even if a script file is replaced by a link. Mutations hold
/// an flock on `.managesieved.lock` in the storage and write through a temporary file, fsync, rename and an
/// fsync of the directory; readers therefore see the old or the new content, never a part.
///
/// Not thread-safe: one instance per session (each session is its own process); concurrent instances,
/// in threads or processes, coordinate through the lock file.
public final class FileScriptStore: ScriptStore {
    /// The storage directory, normalised.
    let storagePath: String
    /// The directory holding the active link, normalised.
    let linkDirectoryPath: String
    /// The active link's own name.
    let linkName: String
    /// The relative path from the link's directory to the storage, "" or ending in "/".
    let linkTargetPrefix: String
    /// The limits `putScript` and `checkSpace` enforce.
    public let quota: QuotaLimits
    let lockTimeoutMilliseconds: Int
    /// The storage directory once it exists.
    var storage: DirectoryHandle?
    /// Set once the active link was seen not to be a regular file (or after migrating it).
    var migrationChecked = false
    /// Set while this store holds the storage lock.
    var holdsLock = false
    /// Reads only: no lock file, no directory, no migration or repair; every mutation fails with EROFS.
    public let readOnly: Bool
    /// How many replaced and deleted versions are kept (FileScriptStore+History.swift).
    public let history: HistoryLimits
    /// Told about a version that could not be kept (the write itself went on); the server logs it.
    public var historyProblem: ((String) -> Void)?

    static let scriptSuffix = ".sieve"
    static let lockFileName = ".managesieved.lock"
    static let temporarySuffix = ".tmp"
    /// Temporary files older than this are stale whoever made them.
    static let staleTemporaryAge: Int64 = 3600
    /// The name a rescued pre-existing active file gets (then `dovecot.orig-2`, …).
    static let migratedScriptName = "dovecot.orig"
    /// The largest script file the store reads. No upload can be larger (the server caps
    /// `sieve_max_script_size` here), so a larger file was put there by hand: reading it fails (EFBIG)
    /// rather than taking that much memory.
    public static let maxScriptFileSize = 64 << 20

    /// Both paths absolute (the server expands `~` and `%u` first). Creates nothing until the first write.
    /// `readOnly` (the admin tool's list/get/check commands) never writes anything, not even the rescue of a
    /// regular file at the active link's place: such a file is then simply not an active script.
    public init(
        storageDirectory: String, activeLinkPath: String, quota: QuotaLimits, lockTimeoutMilliseconds: Int = 10_000,
        readOnly: Bool = false,
        history: HistoryLimits = .off
    ) throws(StorageError) {
        guard let storagePath = StoragePath.normalize(storageDirectory) else {
            throw .io(
                SystemError(operation: "open storage", path: storageDirectory, errno: SystemError.invalidArgument))
        }
        guard let link = StoragePath.normalize(activeLinkPath).flatMap(StoragePath.split), link.name != ".." else {
            throw .io(SystemError(operation: "open storage", path: activeLinkPath, errno: SystemError.invalidArgument))
        }
        guard StoragePath.normalize(activeLinkPath) != storagePath else {
            throw .io(SystemError(operation: "open storage", path: activeLinkPath, errno: SystemError.invalidArgument))
        }
        self.storagePath = storagePath
        self.linkDirectoryPath = link.directory
        self.linkName = link.name
        self.linkTargetPrefix = StoragePath.relativePrefix(from: link.directory, to: storagePath)
        self.quota = quota
        self.lockTimeoutMilliseconds = max(0, lockTimeoutMilliseconds)
        self.readOnly = readOnly
        self.history = history
    }

    /// The storage directory (normalised), for logs and tools.
    public var storageDirectory: String { storagePath }
    /// The active link's path (normalised), for logs and tools.
    public var activeLinkPath: String { linkDirectoryPath == "/" ? "/" + linkName : linkDirectoryPath + "/" + linkName }

    // MARK: Reading

    public func listScripts() throws(StorageError) -> [StoredScript] {
        try listing(sizes: true) { StoredScript(name: $0, isActive: $1, size: Int(clamping: $2)) }
    }

    /// LISTSCRIPTS needs no sizes: no fstatat per script where the file system reports entry types.
    public func listScriptNames() throws(StorageError) -> [ListedScript] {
        try listing(sizes: false) { name, isActive, _ in ListedScript(name: name, isActive: isActive) }
    }

    /// The scripts in the byte order of their names' UTF-8, as `make` makes them from the name, the active flag
    /// and the size (0 unless `sizes`).
    private func listing<T>(sizes: Bool, _ make: (String, Bool, UInt64) -> T) throws(StorageError) -> [T] {
        try prepare()
        guard let directory = try openStorage(create: false) else { return [] }
        let active = try resolveActive(in: directory)
        let hidden = try interruptedRenameLeftover(in: directory).flatMap(Self.scriptName(forFile:))
        return try scanScripts(in: directory, sizes: sizes) { name, size in
            name == hidden ? nil : make(name, name == active, size)
        }
    }

    public func getScript(_ name: String) throws(StorageError) -> [UInt8] {
        let fileName = try Self.fileName(for: name)
        try prepare()
        guard let directory = try openStorage(create: false) else { throw .notFound(name) }
        if try interruptedRenameLeftover(in: directory) == fileName { throw .notFound(name) }
        do {
            return try directory.readFile(fileName, maxSize: Self.maxScriptFileSize)
        } catch {
            // A link (ELOOP) or anything but a regular file (EINVAL) is not a script.
            if error.isNotFound || error.isSymbolicLink || error.isInvalidArgument { throw .notFound(name) }
            throw Self.storageError(error)
        }
    }

    public func scriptExists(_ name: String) throws(StorageError) -> Bool {
        let fileName = try Self.fileName(for: name)
        try prepare()
        guard let directory = try openStorage(create: false) else { return false }
        if try interruptedRenameLeftover(in: directory) == fileName { return false }
        return try Self.io { () throws(SystemError) in try directory.status(fileName)?.kind == .regular }
    }

    public func checkSpace(name: String, size: UInt64) throws(StorageError) {
        let fileName = try Self.fileName(for: name)
        try prepare()
        let directory = try openStorage(create: false)
        try checkQuota(in: directory, fileName: fileName, size: size)
    }

    public func activeScript() throws(StorageError) -> String? {
        try prepare()
        guard let directory = try openStorage(create: false) else { return nil }
        return try resolveActive(in: directory)
    }

    // MARK: Names and files

    /// NAME → NAME.sieve. Empty names and names with "/" or NUL cannot be stored (the protocol layer refuses
    /// them first; this is defence in depth). "." and ".." become "..sieve" and "...sieve", which are safe.
    static func fileName(for name: String) throws(StorageError) -> String {
        guard !name.isEmpty, !name.utf8.contains(UInt8(ascii: "/")), !name.utf8.contains(0) else {
            throw .invalidName(name)
        }
        return name + scriptSuffix
    }

    /// NAME.sieve → NAME; `nil` for any other file name.
    static func scriptName(forFile fileName: String) -> String? {
        guard fileName.hasSuffix(scriptSuffix), fileName.utf8.count > scriptSuffix.utf8.count else { return nil }
        return String(fileName.dropLast(scriptSuffix.count))
    }

    /// The storage directory, created (mode 0700, parents too) when `create` is set; `nil` if it does not exist.
    func openStorage(create: Bool) throws(StorageError) -> DirectoryHandle? {
        if create && readOnly {
            throw .io(SystemError(operation: "write", path: storagePath, errno: SystemError.readOnly))
        }
        if let storage { return storage }
        do {
            storage = try DirectoryHandle(path: storagePath)
        } catch {
            guard error.isNotFound else { throw Self.storageError(error) }
            guard create else { return nil }
            do {
                try FileSystem.makeDirectories(storagePath, mode: 0o700)
                storage = try DirectoryHandle(path: storagePath)
            } catch {
                throw Self.storageError(error)
            }
        }
        return storage
    }

    /// The directory of the active link; created when `create` is set; `nil` if it does not exist.
    func openLinkDirectory(create: Bool) throws(StorageError) -> DirectoryHandle? {
        if create && readOnly {
            throw .io(SystemError(operation: "write", path: linkDirectoryPath, errno: SystemError.readOnly))
        }
        do {
            return try DirectoryHandle(path: linkDirectoryPath)
        } catch {
            guard error.isNotFound else { throw Self.storageError(error) }
            guard create else { return nil }
            do {
                try FileSystem.makeDirectories(linkDirectoryPath, mode: 0o700)
                return try DirectoryHandle(path: linkDirectoryPath)
            } catch {
                throw Self.storageError(error)
            }
        }
    }

    // MARK: Errors

    static func storageError(_ error: SystemError) -> StorageError {
        .io(error)
    }

    /// Runs a file-system call, turning its error into `.io`.
    static func io<T>(_ body: () throws(SystemError) -> T) throws(StorageError) -> T {
        do {
            return try body()
        } catch {
            throw storageError(error)
        }
    }
}
