import Posix

// Version history: the content a PUTSCRIPT replaces or a DELETESCRIPT removes is kept under
// `.managesieved.history/NAME.sieve/` in the storage. Pigeonhole and LISTSCRIPTS only look at `*.sieve`
// files directly in the storage, so a dot-directory is invisible to both.
//
// A version is the replaced file itself, hard-linked into the history before the rename or unlink that
// retires it, and the history directory is fsynced before that rename or unlink: after a crash the old
// content is the current script or a version, never neither, and nothing is copied. The history never fails
// a write: a problem is reported through `historyProblem` and the write goes on without a version.

/// How much history a user keeps; 0 in either turns it off.
public struct HistoryLimits: Equatable, Sendable {
    /// Versions kept per script name (`sieve_history_max_versions`).
    public var maxVersions: Int
    /// Octets of all versions of all scripts together (`sieve_history_max_size`); not part of any quota.
    public var maxTotalSize: UInt64

    public init(maxVersions: Int, maxTotalSize: UInt64) {
        self.maxVersions = maxVersions
        self.maxTotalSize = maxTotalSize
    }

    public static let off = HistoryLimits(maxVersions: 0, maxTotalSize: 0)
    public var isEnabled: Bool { maxVersions > 0 && maxTotalSize > 0 }
}

/// One kept version of a script.
public struct ScriptVersion: Equatable, Sendable {
    /// The script's name.
    public var script: String
    /// The version's name in the history (`MILLISECONDS-KIND`), stable while it is kept.
    public var id: String
    /// When it stopped being the current version, in milliseconds since the epoch.
    public var retiredAt: UInt64
    /// When its content was written (the file's modification time), in seconds since the epoch.
    public var writtenAt: Int64
    public var size: UInt64
    /// It was the active script when it was replaced.
    public var wasActive: Bool
    /// It was deleted (rather than replaced).
    public var wasDeleted: Bool
}

extension FileScriptStore {
    static let historyDirectoryName = ".managesieved.history"
    private static let kinds = ["replaced", "replaced-active", "deleted"]

    /// `MILLISECONDS-KIND` → (milliseconds, kind); nil for any other name.
    static func parseVersionID(_ id: String) -> (retiredAt: UInt64, kind: String)? {
        let parts = id.split(separator: "-", maxSplits: 1)
        guard parts.count == 2, parts[0].utf8.count == 20, parts[0].utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            let time = UInt64(parts[0]), kinds.contains(String(parts[1]))
        else { return nil }
        return (time, String(parts[1]))
    }

    static func versionID(retiredAt: UInt64, kind: String) -> String {
        let digits = String(retiredAt)
        return String(repeating: "0", count: max(0, 20 - digits.count)) + digits + "-" + kind
    }

    /// A subdirectory of `parent`, created (0700) when asked; never a link: anything but a directory there
    /// is refused with ELOOP/ENOTDIR from the no-follow open.
    private func subdirectory(
        _ name: String, of parent: DirectoryHandle, create: Bool
    ) throws(SystemError) -> DirectoryHandle? {
        if create {
            do {
                try parent.makeDirectory(name)
                try parent.sync()
            } catch {
                guard error.isAlreadyExists else { throw error }
            }
        } else if try parent.status(name) == nil {
            return nil
        }
        return try parent.openDirectory(name)
    }

    func historyDirectory(in directory: DirectoryHandle, create: Bool) throws(SystemError) -> DirectoryHandle? {
        try subdirectory(Self.historyDirectoryName, of: directory, create: create)
    }

    /// Under the lock, before `fileName` is replaced or removed: links its current file into the history.
    /// Never throws; a failure is reported and the caller's write goes on.
    func keepVersion(of fileName: String, in directory: DirectoryHandle, deleted: Bool) {
        guard history.isEnabled else { return }
        do throws(SystemError) {
            guard try directory.status(fileName)?.kind == .regular else { return }
            let active = (try? resolveActive(in: directory)).flatMap { $0 }
            let kind =
                deleted
                ? "deleted" : (active.map { $0 + Self.scriptSuffix } == fileName ? "replaced-active" : "replaced")
            guard let historyDirectory = try historyDirectory(in: directory, create: true),
                let scriptDirectory = try subdirectory(fileName, of: historyDirectory, create: true)
            else { return }
            var time = Clock.wallClockMilliseconds()
            var attempts = 0
            while true {
                do {
                    try directory.link(fileName, to: Self.versionID(retiredAt: time, kind: kind), in: scriptDirectory)
                    break
                } catch {
                    // Two versions within one millisecond: the next free one keeps the order.
                    guard error.isAlreadyExists, attempts < 100 else { throw error }
                    attempts += 1
                    time += 1
                }
            }
            // One fsync of the script's history for the new version and whatever the pruning removed there
            // (the common case: the oldest version of the same script), before the caller's rename or unlink.
            let synced: Set<String>
            do {
                synced = try pruneHistory(in: historyDirectory)
            } catch {
                try? scriptDirectory.sync()
                throw error
            }
            if !synced.contains(fileName) { try scriptDirectory.sync() }
        } catch {
            historyProblem?(
                "cannot keep the previous version of \(fileName): \(error)")
        }
    }

    /// Under the lock, after a rename: the old name's versions become the new name's (merged with what the
    /// new name kept from an earlier script of that name).
    func moveHistory(from oldFile: String, to newFile: String, in directory: DirectoryHandle) {
        do throws(SystemError) {
            guard let historyDirectory = try historyDirectory(in: directory, create: false),
                try historyDirectory.status(oldFile) != nil
            else { return }
            do {
                try historyDirectory.renameNoReplace(oldFile, to: newFile)
            } catch {
                guard error.isAlreadyExists else { throw error }
                guard let from = try subdirectory(oldFile, of: historyDirectory, create: false),
                    let to = try subdirectory(newFile, of: historyDirectory, create: false)
                else { return }
                for entry in try from.entries() where Self.parseVersionID(entry) != nil {
                    if try to.status(entry) == nil { try from.link(entry, to: entry, in: to) }
                    try from.unlink(entry)
                }
                try to.sync()
                try historyDirectory.removeDirectory(oldFile)
            }
            try historyDirectory.sync()
            try pruneHistory(in: historyDirectory)
        } catch {
            historyProblem?(
                "cannot move the history of \(oldFile) to \(newFile): \(error)")
        }
    }

    /// The versions of every script directory in the history: (directory name, version id, size).
    private func allVersions(
        in historyDirectory: DirectoryHandle
    ) throws(SystemError) -> [(directory: String, id: String, retiredAt: UInt64, status: FileSystemStatus)] {
        var result: [(directory: String, id: String, retiredAt: UInt64, status: FileSystemStatus)] = []
        for name in try historyDirectory.entries() where Self.scriptName(forFile: name) != nil {
            guard try historyDirectory.status(name)?.kind == .directory,
                let scriptDirectory = try? historyDirectory.openDirectory(name)
            else { continue }
            for entry in try scriptDirectory.entries() {
                guard let parsed = Self.parseVersionID(entry), let status = try scriptDirectory.status(entry),
                    status.kind == .regular
                else { continue }
                result.append((name, entry, parsed.retiredAt, status))
            }
        }
        return result
    }

    /// Keeps at most `maxVersions` per script and `maxTotalSize` octets in all, removing the oldest first.
    /// Returns the script directories it changed, each fsynced since.
    @discardableResult
    private func pruneHistory(in historyDirectory: DirectoryHandle) throws(SystemError) -> Set<String> {
        let versions = try allVersions(in: historyDirectory).sorted { $0.retiredAt > $1.retiredAt }
        var perScript: [String: Int] = [:]
        var total: UInt64 = 0
        var doomed: [(directory: String, id: String)] = []
        for version in versions {
            let count = perScript[version.directory, default: 0] + 1
            perScript[version.directory] = count
            let (sum, overflow) = total.addingReportingOverflow(version.status.size)
            if count > history.maxVersions || overflow || sum > history.maxTotalSize {
                doomed.append((version.directory, version.id))
            } else {
                total = sum
            }
        }
        var touched: Set<String> = []
        for (name, id) in doomed {
            let scriptDirectory = try historyDirectory.openDirectory(name)
            try scriptDirectory.unlink(id)
            touched.insert(name)
        }
        var removedDirectory = false
        for name in touched {
            let scriptDirectory = try historyDirectory.openDirectory(name)
            try scriptDirectory.sync()
            if try scriptDirectory.entries().isEmpty {
                try historyDirectory.removeDirectory(name)
                removedDirectory = true
            }
        }
        // Unlinking a version changes only its script's directory; the history's own only when one is removed.
        if removedDirectory { try historyDirectory.sync() }
        return touched
    }

    // MARK: Reading the history

    /// The kept versions of `name` (or of every script, deleted ones included, when nil), newest first.
    public func history(of name: String? = nil) throws(StorageError) -> [ScriptVersion] {
        let wanted = try name.map { n throws(StorageError) in try Self.fileName(for: n) }
        guard let directory = try openStorage(create: false),
            let historyDirectory = try Self.io({ () throws(SystemError) in
                try historyDirectory(in: directory, create: false)
            })
        else { return [] }
        let versions = try Self.io { () throws(SystemError) in try allVersions(in: historyDirectory) }
        return versions.compactMap { version -> ScriptVersion? in
            guard wanted == nil || version.directory == wanted,
                let script = Self.scriptName(forFile: version.directory),
                let kind = Self.parseVersionID(version.id)?.kind
            else { return nil }
            return ScriptVersion(
                script: script, id: version.id, retiredAt: version.retiredAt,
                writtenAt: version.status.modificationTime, size: version.status.size,
                wasActive: kind == "replaced-active", wasDeleted: kind == "deleted")
        }.sorted { ($0.script, $1.retiredAt) < ($1.script, $0.retiredAt) }
    }

    /// The content of one kept version; `.notFound` for an unknown id (or a link in its place).
    public func historyContent(of name: String, version id: String) throws(StorageError) -> [UInt8] {
        let fileName = try Self.fileName(for: name)
        let missing = StorageError.notFound(name + " (" + id + ")")
        guard Self.parseVersionID(id) != nil, let directory = try openStorage(create: false) else { throw missing }
        func read() throws(SystemError) -> [UInt8]? {
            guard let historyDirectory = try historyDirectory(in: directory, create: false),
                let scriptDirectory = try subdirectory(fileName, of: historyDirectory, create: false)
            else { return nil }
            return try scriptDirectory.readFile(id, maxSize: Self.maxScriptFileSize)
        }
        let content: [UInt8]?
        do {
            content = try read()
        } catch {
            // A link where a directory or a version belongs (ELOOP, ENOTDIR) is no version.
            if error.isNotFound || error.isSymbolicLink || error.isInvalidArgument || error.isNotDirectory {
                throw missing
            }
            throw Self.storageError(error)
        }
        guard let content else { throw missing }
        return content
    }
}
