import Posix

// The lock, temporary files and their clean-up, quota arithmetic.

extension FileScriptStore {
    /// Runs `body` holding an exclusive flock on the storage's lock file (creating the storage if needed).
    /// Waits at most `lockTimeoutMilliseconds`, trying without blocking and sleeping briefly in between,
    /// then gives up with `.tryLater`. Rescues a regular file at the active link's place first.
    func withLock<T>(_ body: (DirectoryHandle) throws(StorageError) -> T) throws(StorageError) -> T {
        guard let directory = try openStorage(create: true) else {
            throw .io(SystemError(operation: "open", path: storagePath, errno: SystemError.invalidArgument))
        }
        // Inside `exclusively`: this process holds the lock already (a second flock would wait for itself).
        if holdsLock { return try body(directory) }
        let lockFile = try Self.io { () throws(SystemError) in try directory.openOrCreate(Self.lockFileName) }
        let deadline = FileSystem.monotonicMilliseconds() + Int64(lockTimeoutMilliseconds)
        var pause = 2
        while !(try Self.io({ () throws(SystemError) in try lockFile.tryLockExclusive() })) {
            let now = FileSystem.monotonicMilliseconds()
            guard now < deadline else { throw .tryLater }
            FileSystem.sleep(milliseconds: Int(min(Int64(pause), deadline - now)))
            pause = min(pause * 2, 50)
        }
        // Closing the file (when `lockFile` is released) drops the lock too; unlock explicitly to be prompt.
        defer { try? lockFile.unlock() }
        holdsLock = true
        defer { holdsLock = false }
        try migrateRegularActiveFile(into: directory)
        try repairInterruptedRename(in: directory)
        return try body(directory)
    }

    /// Runs `body` holding the storage lock, so that what it reads and then changes is not changed by another
    /// session in between; the store's own mutations inside it take the lock without waiting.
    public func exclusively<T>(_ body: () throws(StorageError) -> T) throws(StorageError) -> T {
        try prepare()
        return try withLock { _ throws(StorageError) in try body() }
    }

    /// `.BASE.PID.RANDOM.tmp`: hidden (never listed as a script), unique, and naming its creator so that
    /// a later session can tell a dead session's leftovers from a live one's work in progress.
    static func temporaryName(base: String) -> String {
        // Keep the name well inside NAME_MAX whatever the script name's length.
        let shown = base.utf8.count <= 100 ? base : "script"
        let random = String(UInt64.random(in: .min ... .max), radix: 16)
        let padded = String(repeating: "0", count: 16 - random.count) + random
        return "." + shown + ".\(FileSystem.processID).\(padded)" + temporarySuffix
    }

    /// The creating process of a temporary file named by `temporaryName`, or `nil` for any other name.
    static func temporaryCreator(_ name: String) -> Int32? {
        guard name.hasPrefix("."), name.hasSuffix(temporarySuffix) else { return nil }
        let parts = name.dropLast(temporarySuffix.count).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 3 else { return nil }
        let random = parts[parts.count - 1]
        guard random.utf8.count == 16, random.utf8.allSatisfy({ isHexDigit($0) }) else { return nil }
        guard let pid = Int32(parts[parts.count - 2]), pid > 0 else { return nil }
        return pid
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66)
    }

    /// Whether a temporary file is a leftover: its creator is gone, or it is older than an hour.
    /// Our own process's files are left alone unless old (another store in this process may be writing).
    static func isStale(temporary name: String, modificationTime: Int64, now: Int64) -> Bool {
        guard let pid = temporaryCreator(name) else { return false }
        if now - modificationTime > staleTemporaryAge { return true }
        if pid == FileSystem.processID { return false }
        return !FileSystem.processExists(pid)
    }

    /// Removes leftover temporary entries of `kind` whose names start with `prefix`. Best effort: a failure
    /// here must not fail the write that triggered it.
    func removeStaleTemporaries(in directory: DirectoryHandle, prefix: String, kind: FileSystemStatus.Kind) {
        guard let entries = try? directory.entries() else { return }
        let now = FileSystem.now()
        for name in entries where name.hasPrefix(prefix) && name.hasSuffix(Self.temporarySuffix) {
            guard let status = try? directory.status(name), status.kind == kind,
                Self.isStale(temporary: name, modificationTime: status.modificationTime, now: now)
            else { continue }
            try? directory.unlink(name)
        }
    }

    /// Writes `content` to a new exclusive temporary file for `fileName` (never following a link) and fsyncs
    /// it; returns its name. The caller renames it into place, or unlinks it.
    func writeTemporary(
        _ content: [UInt8], for fileName: String, in directory: DirectoryHandle
    ) throws(StorageError)
        -> String
    {
        let temporary = Self.temporaryName(base: fileName)
        try Self.io { () throws(SystemError) in
            let file = try directory.createExclusive(temporary, mode: 0o600)
            do throws(SystemError) {
                try file.write(content)
                try file.sync()
            } catch {
                try? directory.unlink(temporary)
                throw error
            }
        }
        return temporary
    }

    /// Writes `content` to `fileName` atomically and durably: an exclusive temporary file (never following
    /// a link), every byte written, fsync, rename over `fileName`, fsync of the directory.
    /// On failure the temporary file is removed and `fileName` is untouched.
    func writeAtomically(_ content: [UInt8], to fileName: String, in directory: DirectoryHandle) throws(StorageError) {
        let temporary = try writeTemporary(content, for: fileName, in: directory)
        try Self.io { () throws(SystemError) in try Self.moveIntoPlace(temporary, as: fileName, in: directory) }
    }

    /// Renames `temporary` over `name`, then fsyncs the directory; a temporary the rename did not take is removed.
    static func moveIntoPlace(_ temporary: String, as name: String, in directory: DirectoryHandle) throws(SystemError) {
        do throws(SystemError) {
            try directory.rename(temporary, to: name)
        } catch {
            try? directory.unlink(temporary)
            throw error
        }
        try directory.sync()
    }

    /// Throws `.quotaExceeded` if storing `size` octets as `fileName` would break a limit: the size of one
    /// script, the number of scripts (only a new name adds one), the sum of all scripts (a replaced script's
    /// old size is subtracted). `directory` is nil when the storage does not exist yet (it is empty).
    func checkQuota(in directory: DirectoryHandle?, fileName: String, size: UInt64) throws(StorageError) {
        if let limit = quota.maxScriptSize, size > limit { throw .quotaExceeded(.maxSize, limit: limit) }
        guard quota.maxScripts != nil || quota.maxStorage != nil else { return }
        guard let directory else { return try checkQuota(usage: (0, 0, nil), size: size) }
        let usage = try usage(in: directory, of: fileName, sizes: quota.maxStorage != nil, removingStale: false)
        try checkQuota(usage: usage, size: size)
    }

    /// `checkQuota` and `removeStaleTemporaries(prefix: ".", kind: .regular)` in one pass over the directory.
    func checkQuotaRemovingStaleTemporaries(
        in directory: DirectoryHandle, fileName: String, size: UInt64
    ) throws(StorageError) {
        if let limit = quota.maxScriptSize, size > limit { throw .quotaExceeded(.maxSize, limit: limit) }
        let usage = try usage(in: directory, of: fileName, sizes: quota.maxStorage != nil, removingStale: true)
        if quota.maxScripts != nil || quota.maxStorage != nil { try checkQuota(usage: usage, size: size) }
    }

    private func checkQuota(
        usage: (count: UInt64, total: UInt64, existing: UInt64?), size: UInt64
    )
        throws(StorageError)
    {
        if let limit = quota.maxScripts, usage.existing == nil, usage.count + 1 > limit {
            throw .quotaExceeded(.maxScripts, limit: limit)
        }
        if let limit = quota.maxStorage {
            // HAVESPACE may ask about any size: saturate instead of trapping on overflow.
            let (after, overflow) = (usage.total - min(usage.total, usage.existing ?? 0)).addingReportingOverflow(size)
            if overflow || after > limit { throw .quotaExceeded(.maxStorage, limit: limit) }
        }
    }
}
