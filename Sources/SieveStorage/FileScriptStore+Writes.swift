import Posix

// Mutations: each holds the storage lock while it changes names (an upload writes its temporary file before)
// and ends with the relevant directory fsynced.

extension FileScriptStore {
    public func putScript(_ name: String, content: [UInt8]) throws(StorageError) {
        let fileName = try Self.fileName(for: name)
        try prepare()
        // The size limit before anything is written; the script count and total size once, under the lock, where
        // the check is authoritative (checking them here too listed and stat'ed every stored script twice per
        // upload, and only saved writing a temporary file for an upload that is then refused).
        if let limit = quota.maxScriptSize, UInt64(content.count) > limit {
            throw .quotaExceeded(.maxSize, limit: limit)
        }
        // Writing and fsyncing the content, the slow part, happens outside the lock, so that two sessions'
        // uploads overlap; only the rename and the directory fsync are serialized.
        guard let directory = try openStorage(create: true) else {
            throw .io(SystemError(operation: "open", path: storagePath, errno: SystemError.invalidArgument))
        }
        let temporary = try writeTemporary(content, for: fileName, in: directory)
        do {
            try withLock { directory throws(StorageError) in
                try checkQuotaRemovingStaleTemporaries(in: directory, fileName: fileName, size: UInt64(content.count))
                keepVersion(of: fileName, in: directory, deleted: false)
                try Self.io { () throws(SystemError) in
                    try directory.rename(temporary, to: fileName)
                    try directory.sync()
                }
            }
        } catch {
            try? directory.unlink(temporary)
            throw error
        }
    }

    public func deleteScript(_ name: String) throws(StorageError) {
        let fileName = try Self.fileName(for: name)
        try prepare()
        try withLock { directory throws(StorageError) in
            guard try Self.io({ () throws(SystemError) in try directory.status(fileName) })?.kind == .regular else {
                throw .notFound(name)
            }
            if try resolveActive(in: directory) == name { throw .isActive(name) }
            keepVersion(of: fileName, in: directory, deleted: true)
            do throws(SystemError) {
                try directory.unlink(fileName)
                try directory.sync()
            } catch {
                if error.isNotFound { throw .notFound(name) }
                throw Self.storageError(error)
            }
        }
    }

    /// An inactive script is renamed with RENAME_NOREPLACE. An active one is kept active: a hard link under
    /// the new name, the active link swapped to it, then the old name unlinked. A crash between the steps
    /// leaves both names holding the same content (the link on the old one until the swap, on the new one
    /// after it); nothing is lost and the link never dangles.
    public func renameScript(_ oldName: String, to newName: String) throws(StorageError) {
        let oldFile = try Self.fileName(for: oldName)
        let newFile = try Self.fileName(for: newName)
        try prepare()
        try withLock { directory throws(StorageError) in
            guard try Self.io({ () throws(SystemError) in try directory.status(oldFile) })?.kind == .regular else {
                throw .notFound(oldName)
            }
            if try Self.io({ () throws(SystemError) in try directory.status(newFile) }) != nil {
                throw .alreadyExists(newName)
            }
            if try resolveActive(in: directory) == oldName {
                guard let linkDirectory = try openLinkDirectory(create: false) else { throw .notFound(oldName) }
                do throws(SystemError) {
                    try directory.link(oldFile, to: newFile)
                    try directory.sync()
                } catch {
                    if error.isAlreadyExists { throw .alreadyExists(newName) }
                    throw Self.storageError(error)
                }
                try replaceActiveLink(with: newFile, in: linkDirectory)
                try Self.io { () throws(SystemError) in
                    try directory.unlink(oldFile)
                    try directory.sync()
                }
            } else {
                do throws(SystemError) {
                    try directory.renameNoReplace(oldFile, to: newFile)
                    try directory.sync()
                } catch {
                    if error.isAlreadyExists { throw .alreadyExists(newName) }
                    if error.isNotFound { throw .notFound(oldName) }
                    throw Self.storageError(error)
                }
            }
            moveHistory(from: oldFile, to: newFile, in: directory)
        }
    }

    /// Activation replaces the link atomically; `nil` removes it, but only if it is a symlink (a regular file
    /// there has already been rescued into the storage by then).
    public func setActive(_ name: String?) throws(StorageError) {
        let fileName = try name.map { n throws(StorageError) in try Self.fileName(for: n) }
        try prepare()
        try withLock { directory throws(StorageError) in
            if let name, let fileName {
                guard try Self.io({ () throws(SystemError) in try directory.status(fileName) })?.kind == .regular
                else { throw .notFound(name) }
                guard let linkDirectory = try openLinkDirectory(create: true) else { throw .notFound(name) }
                try replaceActiveLink(with: fileName, in: linkDirectory)
            } else {
                guard let linkDirectory = try openLinkDirectory(create: false) else { return }
                try Self.io { () throws(SystemError) in
                    guard try linkDirectory.status(linkName)?.kind == .symbolicLink else { return }
                    try linkDirectory.unlink(linkName)
                    try linkDirectory.sync()
                }
            }
        }
    }
}
