import Posix

// The storage seen by the session: one user's scripts and which one is active.
// Names passed in are already valid ManageSieve script names (the protocol layer checked them);
// implementations still refuse anything that could escape their directory.

/// Which quota a write would exceed (RFC 5804 §1.3 QUOTA sub-codes).
public enum QuotaKind: Equatable, Sendable {
    case maxSize
    case maxScripts
    case maxStorage
}

/// Everything that can go wrong in a `ScriptStore`.
public enum StorageError: Error, Equatable, Sendable {
    /// No script of that name.
    case notFound(String)
    /// The target name of RENAMESCRIPT exists already.
    case alreadyExists(String)
    /// DELETESCRIPT of the active script.
    case isActive(String)
    /// The write would exceed a quota; `limit` in octets or scripts.
    case quotaExceeded(QuotaKind, limit: UInt64)
    /// The storage lock could not be had in time.
    case tryLater
    /// A name that cannot be stored (defence in depth; the protocol layer refuses these first).
    case invalidName(String)
    /// A system call failed: which operation, on what, and errno.
    case io(SystemError)
}

/// One script as listed.
public struct StoredScript: Equatable, Sendable {
    public var name: String
    public var isActive: Bool
    public var size: Int
}

/// One script as LISTSCRIPTS shows it.
public struct ListedScript: Equatable, Sendable {
    public var name: String
    public var isActive: Bool
}

/// Limits on one user's storage; `nil` means unlimited.
public struct QuotaLimits: Equatable, Sendable {
    public var maxScriptSize: UInt64?
    public var maxScripts: UInt64?
    public var maxStorage: UInt64?
    public init(maxScriptSize: UInt64? = nil, maxScripts: UInt64? = nil, maxStorage: UInt64? = nil) {
        self.maxScriptSize = maxScriptSize
        self.maxScripts = maxScripts
        self.maxStorage = maxStorage
    }
}

/// One user's scripts. Every mutation is atomic and durable.
public protocol ScriptStore: AnyObject {
    /// All scripts, sorted by name, with the active flag.
    func listScripts() throws(StorageError) -> [StoredScript]
    /// The same without the sizes, which a store may then not need to look up.
    func listScriptNames() throws(StorageError) -> [ListedScript]
    /// The content of a script.
    func getScript(_ name: String) throws(StorageError) -> [UInt8]
    /// Whether a script of that name exists.
    func scriptExists(_ name: String) throws(StorageError) -> Bool
    /// HAVESPACE: would a script of `size` octets under `name` fit? Throws `.quotaExceeded` if not.
    /// Replacing an existing script counts only the difference.
    func checkSpace(name: String, size: UInt64) throws(StorageError)
    /// Store (create or replace) a script atomically; checks quota first.
    func putScript(_ name: String, content: [UInt8]) throws(StorageError)
    /// Delete a script; `.isActive` if it is the active one.
    func deleteScript(_ name: String) throws(StorageError)
    /// Rename; an active script stays active. `.alreadyExists` if `newName` exists.
    func renameScript(_ oldName: String, to newName: String) throws(StorageError)
    /// Make `name` the active script, or deactivate with `nil`.
    func setActive(_ name: String?) throws(StorageError)
    /// The active script's name, if any (a dangling or foreign link means none).
    func activeScript() throws(StorageError) -> String?
    /// Runs `body` with no other session changing the storage meanwhile (a check and the change it allows).
    func exclusively<T>(_ body: () throws(StorageError) -> T) throws(StorageError) -> T
}

extension ScriptStore {
    public func listScriptNames() throws(StorageError) -> [ListedScript] {
        try listScripts().map { ListedScript(name: $0.name, isActive: $0.isActive) }
    }

    /// A store only one session uses needs no lock.
    public func exclusively<T>(_ body: () throws(StorageError) -> T) throws(StorageError) -> T { try body() }
}
