import Posix

// The active link: reading it, replacing it atomically, and rescuing a regular file found in its place.

extension FileScriptStore {
    /// The active script's name: the link must be a symlink whose target, taken relative to the link's
    /// directory (or absolute), names a regular `*.sieve` file directly inside the storage. A dangling link
    /// or one pointing anywhere else means no active script; the link itself is never followed.
    func resolveActive(in directory: DirectoryHandle) throws(StorageError) -> String? {
        guard let linkDirectory = try openLinkDirectory(create: false) else { return nil }
        let target = try Self.io { () throws(SystemError) in try linkDirectory.readSymbolicLink(linkName) }
        guard let target, let fileName = scriptFileName(fromLinkTarget: target),
            let name = Self.scriptName(forFile: fileName)
        else { return nil }
        let status = try Self.io { () throws(SystemError) in try directory.status(fileName) }
        return status?.kind == .regular ? name : nil
    }

    /// The file name inside the storage that a link target designates, if it designates one.
    func scriptFileName(fromLinkTarget target: String) -> String? {
        // What this store writes, the prefix and a plain file name, designates that name: the lexical
        // normalisation below would come to the same, at the cost of splitting both paths on every read.
        if target.hasPrefix(linkTargetPrefix) {
            let name = target.dropFirst(linkTargetPrefix.count)
            if !name.isEmpty, name != ".", name != "..", !name.utf8.contains(UInt8(ascii: "/")),
                !linkTargetPrefix.hasPrefix("/")
            {
                return String(name)
            }
        }
        let full = target.hasPrefix("/") ? target : linkDirectoryPath + "/" + target
        guard let normalized = StoragePath.normalize(full), let parts = StoragePath.split(normalized),
            parts.directory == storagePath
        else { return nil }
        return parts.name
    }

    /// Points the active link at `fileName` atomically: a symlink under a temporary name in the link's
    /// directory, renamed over the link, then an fsync of that directory.
    /// A link that already has exactly this target is left alone: re-activating the active script (clients
    /// do it after every save) then costs no directory fsync.
    func replaceActiveLink(with fileName: String, in linkDirectory: DirectoryHandle) throws(StorageError) {
        let target = linkTargetPrefix + fileName
        // Also when the link is already right: a session killed while activating another script leaves its
        // temporary link behind, and re-activating the current script is the usual next step after a failure.
        removeStaleTemporaries(in: linkDirectory, prefix: "." + linkName + ".", kind: .symbolicLink)
        if try Self.io({ () throws(SystemError) in try linkDirectory.readSymbolicLink(linkName) }) == target {
            return
        }
        let temporary = Self.temporaryName(base: linkName)
        try Self.io { () throws(SystemError) in
            try linkDirectory.createSymbolicLink(temporary, target: target)
            try Self.moveIntoPlace(temporary, as: linkName, in: linkDirectory)
        }
    }

    /// Before the first operation: if a regular file sits where the active link belongs (a user's script from
    /// before ManageSieve), take the lock and rescue it. Cheap once checked.
    func prepare() throws(StorageError) {
        guard !readOnly, !migrationChecked, try linkDirectoryHoldingRegularFile() != nil else { return }
        try withLock { _ throws(StorageError) in }
    }

    /// The content of a regular file found where the active link belongs (a script from before ManageSieve,
    /// which Pigeonhole's delivery runs as the active script), or nil when a link or nothing is there. Reads
    /// only, so a read-only store can still show what delivery would run.
    public func regularFileAtActiveLink() throws(StorageError) -> [UInt8]? {
        guard let linkDirectory = try openLinkDirectory(create: false),
            try Self.io({ () throws(SystemError) in try linkDirectory.status(linkName) })?.kind == .regular
        else { return nil }
        return try Self.io { () throws(SystemError) in
            try linkDirectory.readFile(linkName, maxSize: Self.maxScriptFileSize)
        }
    }

    /// The active link's directory when a regular file sits at the link's place; nil (and the migration marked
    /// as checked) when there is nothing to rescue.
    private func linkDirectoryHoldingRegularFile() throws(StorageError) -> DirectoryHandle? {
        guard let linkDirectory = try openLinkDirectory(create: false),
            try Self.io({ () throws(SystemError) in try linkDirectory.status(linkName) })?.kind == .regular
        else {
            migrationChecked = true
            return nil
        }
        return linkDirectory
    }

    /// Under the lock: copies a regular file at the link's place into the storage as `dovecot.orig.sieve`
    /// (or `dovecot.orig-2.sieve`, …, whichever is free), durably, and only then replaces it with a link to
    /// the copy. A crash in between leaves the original in place (and at worst an unused copy), so no script
    /// is ever lost. Quota is not applied: the script exists already.
    func migrateRegularActiveFile(into directory: DirectoryHandle) throws(StorageError) {
        // Checked again here: another session may have rescued the file before this one got the lock.
        guard let linkDirectory = try linkDirectoryHoldingRegularFile() else { return }
        let content = try Self.io { () throws(SystemError) in
            try linkDirectory.readFile(linkName, maxSize: Self.maxScriptFileSize)
        }
        var suffix = 1
        var fileName = Self.migratedScriptName + Self.scriptSuffix
        while try Self.io({ () throws(SystemError) in try directory.status(fileName) }) != nil {
            suffix += 1
            fileName = Self.migratedScriptName + "-\(suffix)" + Self.scriptSuffix
        }
        try writeAtomically(content, to: fileName, in: directory)
        try replaceActiveLink(with: fileName, in: linkDirectory)
        migrationChecked = true
    }

    /// The trace of an interrupted RENAMESCRIPT of the active script (link new name → swap the active link →
    /// unlink the old name): another script file that is the same file as the active one. Whichever side of
    /// the swap the crash (or a rename still in progress) left, the name the active link points at is the
    /// current one, so the other is hidden from readers and removed at the next locked write. This makes
    /// the rename's window look like either the before or the after state.
    func interruptedRenameLeftover(in directory: DirectoryHandle) throws(StorageError) -> String? {
        guard let active = try resolveActive(in: directory) else { return nil }
        let activeFile = try Self.fileName(for: active)
        guard let activeStatus = try Self.io({ () throws(SystemError) in try directory.status(activeFile) }),
            activeStatus.linkCount >= 2
        else { return nil }
        for entry in try Self.io({ () throws(SystemError) in try directory.entries() }) {
            guard entry != activeFile, Self.scriptName(forFile: entry) != nil,
                let status = try Self.io({ () throws(SystemError) in try directory.status(entry) }),
                status.kind == .regular, status.inode == activeStatus.inode, status.device == activeStatus.device
            else { continue }
            return entry
        }
        return nil
    }

    /// Under the lock: finishes (or undoes) an interrupted rename of the active script, see above.
    func repairInterruptedRename(in directory: DirectoryHandle) throws(StorageError) {
        guard let leftover = try interruptedRenameLeftover(in: directory) else { return }
        try Self.io { () throws(SystemError) in
            try directory.unlink(leftover)
            try directory.sync()
        }
    }
}
