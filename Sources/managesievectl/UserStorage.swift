import Auth
import Config
import Glibc
import ManageSieveProtocol
import ManageSieveServer
import Posix
import ServerConfiguration
import SieveCompiler
import SieveStorage

// The admin tool's one way to a user's scripts. Every command that reads or writes a user's storage goes
// through `AdminContext.withStorage`: the user is looked up in the passwd-file and judged by the server's own
// rules (`LocalBackend.Policy`: uid/gid ranges, root never, absolute expanded paths from `sieve_storage`,
// `sieve`, `sieve_dir` or `mail_location`), the process then acts as that user for file access, and only
// then is the storage opened.
//
// Acting as the user: the file-system identity (setfsuid/setfsgid and the supplementary groups), switched
// for the duration of one user's work and back to root afterwards (`FileSystemIdentity`). Chosen over a
// forked child per user because `recheck --all-users` and `-A` visit thousands of users in one run: a fork
// per user costs a process and a pipe back for every result, and fork() in a process that runs the Swift
// runtime and Foundation (which may have started threads) allows only async-signal-safe calls in the child.
// The file identity is what matters: while it is the user's, the kernel checks every path lookup, symlink and
// created file as that user's (root's file capabilities are off while the fs uid is not 0), so root never
// follows a user's symlink and new files belong to the user. The one rule that comes with it: nothing opened
// as the user may be used once root's identity is back, so the store lives only inside the closure (checked).

/// Refusals and failures that concern one user: with several users, the others still go on.
struct AccessError: Error {
    var message: String
}

/// The configuration and passwd-file, read once (as root) for any number of users.
struct AdminContext {
    let configPath: String
    let settings: Settings
    let policy: LocalBackend.Policy
    let passwd: PasswdFile
    let compileOptions: CompileOptions

    /// Reads the configuration and the passwd-file; a message for standard error when either is unusable.
    static func load(configPath: String) throws(AccessError) -> AdminContext {
        let settings: Settings
        do {
            let text = try FileRead.readFile(path: configPath, maxSize: 1 << 20)
            settings = try ConfigParser.parse(text, fileName: configPath)
        } catch {
            throw AccessError(message: "\(error)")
        }
        let passwd: PasswdFile
        do {
            passwd = try PasswdFile.load(path: settings.passwdFile)
        } catch {
            throw AccessError(message: "\(error)")
        }
        let options: CompileOptions
        do {
            options = try settings.compileOptions()
        } catch {
            throw AccessError(message: "\(configPath): sieve_extensions: \(error.message)")
        }
        return AdminContext(
            configPath: configPath, settings: settings, policy: settings.localBackendPolicy, passwd: passwd,
            compileOptions: options)
    }

    /// The user's entry, as the server would find it.
    func entry(named user: String) throws(AccessError) -> PasswdEntry {
        guard let entry = passwd.entry(for: user) else {
            throw AccessError(message: "no user '\(user)' in \(settings.passwdFile)")
        }
        return entry
    }

    /// Every user of the passwd-file whose name matches one of `masks` (`*` and `?` wildcards, as doveadm's
    /// `-u`), in file order, each once (the first entry of a name, as the server picks it), leaving out users
    /// whose scripts live on another server (`proxy`, referrals).
    func users(matching masks: [String]) -> [PasswdEntry] {
        var seen = Set<String>()
        var result: [PasswdEntry] = []
        passwd.forEachEntry { _, entry in
            guard seen.insert(entry.user).inserted, !LocalBackend.Policy.isServedElsewhere(entry),
                masks.contains(where: { UserMask.matches($0, entry.user) })
            else { return }
            result.append(entry)
        }
        return result
    }

    /// Runs `body` with the user's storage, the process acting as the user for file access. `readOnly`:
    /// nothing is written (no lock file, no directory, no migration of a regular file at the active link's
    /// place). The storage must not outlive `body`.
    func withStorage<T>(
        of entry: PasswdEntry, readOnly: Bool, _ body: (UserStorage) throws -> T
    ) throws -> T {
        if LocalBackend.Policy.isServedElsewhere(entry) {
            throw AccessError(message: "'\(entry.user)' is served by another server (proxy or referral)")
        }
        if let refusal = policy.refusal(for: entry) {
            throw AccessError(message: "'\(entry.user)': \(refusal.message) (first_valid_uid…)")
        }
        let switched = Privileges.isRoot
        if switched {
            do {
                try FileSystemIdentity.become(
                    uid: entry.uid, gid: entry.gid, supplementaryGroups: entry.supplementaryGroups)
            } catch {
                throw AccessError(message: "cannot act as uid \(entry.uid) for '\(entry.user)': \(error)")
            }
        } else if Privileges.effectiveUID != entry.uid {
            throw AccessError(message: "run as root or as uid \(entry.uid) to reach \(entry.user)'s scripts")
        }
        defer {
            if switched {
                do {
                    try FileSystemIdentity.becomeRoot()
                } catch {
                    // Going on with a half-switched identity would act on the next user's files as this one.
                    Output.error("managesievectl: cannot return to root's identity: \(error)\n")
                    Glibc.exit(Privileges.failureExitCode)
                }
            }
        }
        return try openAndRun(entry, readOnly: readOnly, body)
    }

    /// The store's whole life: made here, released before `withStorage` gives root's identity back.
    private func openAndRun<T>(
        _ entry: PasswdEntry, readOnly: Bool, _ body: (UserStorage) throws -> T
    ) throws -> T {
        let limits = settings.userLimits(for: entry)
        var store: FileScriptStore
        switch policy.openStore(for: entry, quota: limits.quota, expand: Settings.expandPath, readOnly: readOnly) {
        case .success(let opened): store = opened
        case .failure(let refusal): throw AccessError(message: "'\(entry.user)': \(refusal.message)")
        }
        var options = compileOptions
        options.limits.maxScriptSize = limits.maxScriptSize
        let result = try body(UserStorage(entry: entry, store: store, options: options))
        // Descriptors opened as the user must never be used as root.
        guard isKnownUniquelyReferenced(&store) else { fatalError("a user's store outlived its scope") }
        return result
    }
}

/// One user's storage, opened as the server opens it.
struct UserStorage {
    let entry: PasswdEntry
    let store: FileScriptStore
    /// PUTSCRIPT/CHECKSCRIPT's rules (missing includes are warnings).
    let compiler: SieveCompiler
    /// SETACTIVE's rules: includes are loaded and their problems are errors.
    let activationCompiler: SieveCompiler
    let maxScriptSize: Int

    init(entry: PasswdEntry, store: FileScriptStore, options: CompileOptions) {
        self.entry = entry
        self.store = store
        compiler = SieveCompiler(options: options)
        var activation = options
        activation.includeProblemsAreErrors = true
        activationCompiler = SieveCompiler(options: activation)
        maxScriptSize = options.limits.maxScriptSize
    }

    static func describe(_ error: StorageError) -> String {
        switch error {
        case .notFound(let name): "no script named '\(name)'"
        case .alreadyExists(let name): "a script named '\(name)' already exists"
        case .isActive(let name): "'\(name)' is the active script; deactivate it first"
        case .quotaExceeded(let kind, let limit): "quota exceeded (\(kind), limit \(limit))"
        case .tryLater: "the storage is locked by another session; try again"
        case .invalidName(let name): "invalid script name '\(name)'"
        case .io(let error): "\(error)"
        }
    }

    /// Runs a storage call, turning its error into an `AccessError` with the message shown to the admin.
    func perform<T>(_ body: () throws(StorageError) -> T) throws(AccessError) -> T {
        do {
            return try body()
        } catch {
            throw AccessError(message: UserStorage.describe(error))
        }
    }

    /// The server's include integrity check (IncludeIntegrity) and then `change`, both under the storage lock
    /// as the server runs them, so no session activates an including script or changes the includes in
    /// between. Returns the refusal, with the server's text, instead of changing anything.
    func keepingIncludes(
        _ check: (IncludeIntegrity) throws(StorageError) -> IncludeIntegrity.Refusal?,
        _ change: () throws(StorageError) -> Void
    ) throws(AccessError) -> AccessError? {
        let store = self.store
        let integrity = IncludeIntegrity(store: store, compiler: compiler, activationCompiler: activationCompiler)
        let refusal = try perform { () throws(StorageError) in
            try store.exclusively { () throws(StorageError) -> IncludeIntegrity.Refusal? in
                if let refusal = try check(integrity) { return refusal }
                try change()
                return nil
            }
        }
        return refusal.map {
            AccessError(
                message: $0.text.split(separator: "\r\n", omittingEmptySubsequences: false).joined(separator: "\n"))
        }
    }

    /// A script name as the protocol accepts it.
    static func validName(_ text: String) throws(AccessError) -> String {
        do {
            return try ScriptName(validating: Array(text.utf8)).string
        } catch {
            throw AccessError(message: "invalid script name '\(text)': \(error.message)")
        }
    }
}

/// doveadm's user masks: `*` any run of characters (also none), `?` exactly one character; everything else
/// literally, case-sensitively (passwd-file names are).
enum UserMask {
    static func matches(_ mask: String, _ name: String) -> Bool {
        let pattern = Array(mask.unicodeScalars)
        let text = Array(name.unicodeScalars)
        var p = 0
        var t = 0
        var star: Int?
        var resume = 0
        while t < text.count {
            if p < pattern.count && (pattern[p] == "?" || (pattern[p] != "*" && pattern[p] == text[t])) {
                p += 1
                t += 1
            } else if p < pattern.count && pattern[p] == "*" {
                star = p
                resume = t
                p += 1
            } else if let star {
                p = star + 1
                resume += 1
                t = resume
            } else {
                return false
            }
        }
        while p < pattern.count && pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }

    /// Whether a mask has wildcards (a plain name is looked up directly, also when its entry is a proxy).
    static func isPattern(_ mask: String) -> Bool { mask.contains("*") || mask.contains("?") }
}
