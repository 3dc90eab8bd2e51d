import ArgumentParser
import Auth
import Config
import Foundation
import Glibc
import ManageSieveProtocol
import ManageSieveServer
import Posix
import ServerConfiguration
import SieveCompiler
import SieveStorage

// `managesievectl list/get/put/activate/deactivate/rename/delete USER …`: an admin's direct access to one
// user's scripts (migrations, repairs), like `doveadm sieve`. The same store, locks, quotas and
// compiler checks as the server; as root, the process first drops to the user's uid/gid for good, so
// files keep the user's ownership and nothing outside the user's rights is touched.

/// Options shared by the storage commands.
struct UserOptions: ParsableArguments {
    @Option(name: [.customShort("c"), .customLong("config")], help: "The configuration file.")
    var file: String = "/etc/managesieved.conf"

    @Argument(help: "The user, as in the passwd-file.")
    var user: String
}

/// One user's storage, opened as the server opens it.
struct UserStorage {
    let store: FileScriptStore
    let compiler: SieveCompiler
    let activationCompiler: SieveCompiler
    let maxScriptSize: Int

    static func open(_ options: UserOptions) throws -> UserStorage {
        let settings: Settings
        do {
            let text = try FileRead.readFile(path: options.file, maxSize: 1 << 20)
            settings = try ConfigParser.parse(text, fileName: options.file)
        } catch {
            throw fail("\(error)")
        }
        let passwd: PasswdFile
        do {
            passwd = try PasswdFile.load(path: settings.passwdFile)
        } catch {
            throw fail("\(error)")
        }
        guard let entry = passwd.entry(for: options.user) else {
            throw fail("no user '\(options.user)' in \(settings.passwdFile)")
        }
        guard entry.uid != 0, entry.gid != 0 else { throw fail("'\(entry.user)' has uid or gid 0: refused") }
        if Privileges.isRoot {
            Privileges.dropPermanently(
                uid: entry.uid, gid: entry.gid, supplementaryGroups: entry.supplementaryGroups,
                logger: Logger(destination: .discard))
        } else if Privileges.effectiveUID != entry.uid {
            throw fail("run as root or as uid \(entry.uid) to reach \(entry.user)'s scripts")
        }
        let limits = UserLimits.resolve(
            entry, global: settings.globalQuota, hardLimit: Settings.hardScriptSizeLimit,
            parseSize: ConfigParser.parseSize)
        let options: CompileOptions
        do {
            options = try settings.compileOptions(maxScriptSize: limits.maxScriptSize)
        } catch {
            throw fail("sieve_extensions: \(error.message)")
        }
        var activation = options
        activation.includeProblemsAreErrors = true
        do {
            let store = try FileScriptStore(
                storageDirectory: PathExpansion.expand(settings.sieveStorage, user: entry.user, home: entry.home),
                activeLinkPath: PathExpansion.expand(settings.sieve, user: entry.user, home: entry.home),
                quota: limits.quota, lockTimeoutMilliseconds: settings.lockTimeoutMilliseconds)
            return UserStorage(
                store: store, compiler: SieveCompiler(options: options),
                activationCompiler: SieveCompiler(options: activation), maxScriptSize: limits.maxScriptSize)
        } catch {
            throw fail(describe(error))
        }
    }

    static func fail(_ message: String) -> ExitCode {
        FileHandle.standardError.write("managesievectl: \(message)\n")
        return ExitCode.failure
    }

    static func describe(_ error: StorageError) -> String {
        switch error {
        case .notFound(let name): "no script named '\(name)'"
        case .alreadyExists(let name): "a script named '\(name)' already exists"
        case .isActive(let name): "'\(name)' is the active script; deactivate it first"
        case .quotaExceeded(let kind, let limit): "quota exceeded (\(kind), limit \(limit))"
        case .tryLater: "the storage is locked by another session; try again"
        case .invalidName(let name): "invalid script name '\(name)'"
        case .io(let operation, let path, let errno): "\(operation) \(path): \(ErrnoText.describe(errno))"
        }
    }

    /// Runs a storage call, turning its error into a message and exit status 1.
    func perform<T>(_ body: () throws(StorageError) -> T) throws -> T {
        do {
            return try body()
        } catch {
            throw UserStorage.fail(UserStorage.describe(error))
        }
    }

    /// A script name as the protocol accepts it.
    static func validName(_ text: String) throws -> String {
        do {
            return try ScriptName(validating: Array(text.utf8)).string
        } catch {
            throw fail("invalid script name '\(text)': \(error.message)")
        }
    }
}

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List a user's scripts; the active one is marked with '*'.")
    @OptionGroup var options: UserOptions

    func run() throws {
        let storage = try UserStorage.open(options)
        for script in try storage.perform({ () throws(StorageError) in try storage.store.listScripts() }) {
            print("\(script.isActive ? "*" : " ") \(script.name)\t\(script.size)")
        }
    }
}

struct GetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get", abstract: "Print one of a user's scripts on standard output.")
    @OptionGroup var options: UserOptions
    @Argument(help: "The script's name.") var name: String

    func run() throws {
        let storage = try UserStorage.open(options)
        let name = try UserStorage.validName(name)
        let content = try storage.perform { () throws(StorageError) in try storage.store.getScript(name) }
        FileHandle.standardOutput.write(Data(content))
    }
}

struct PutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "put",
        abstract: "Store a script for a user (checked by the compiler first, as PUTSCRIPT does).",
        discussion: "FILE '-' reads standard input. With --activate the script also becomes the active one.")
    @OptionGroup var options: UserOptions
    @Argument(help: "The script's name.") var name: String
    @Argument(help: "The script file, or - for standard input.") var file: String
    @Flag(help: "Make it the active script too.") var activate = false

    func run() throws {
        let storage = try UserStorage.open(options)
        let name = try UserStorage.validName(name)
        guard let content = CheckCommand.read(file, limit: storage.maxScriptSize + 1) else {
            throw UserStorage.fail("cannot read \(file)")
        }
        guard !content.isEmpty else { throw UserStorage.fail("an empty script is not allowed") }
        guard content.count <= storage.maxScriptSize else {
            throw UserStorage.fail("script larger than the limit of \(storage.maxScriptSize) bytes")
        }
        let store = storage.store
        let result = storage.compiler.compile(
            content, includeExists: { $0.isGlobal || ((try? store.scriptExists($0.name)) ?? false) })
        for diagnostic in result.diagnostics { print(diagnostic.render(fileName: file == "-" ? name : file)) }
        guard result.isValid else { throw ExitCode.failure }
        try storage.perform { () throws(StorageError) in try store.putScript(name, content: content) }
        if activate { try Activation.activate(name, in: storage) }
    }
}

enum Activation {
    /// SETACTIVE's rules: the script and what it includes must compile, include problems being errors.
    static func activate(_ name: String, in storage: UserStorage) throws {
        let store = storage.store
        let content = try storage.perform { () throws(StorageError) in try store.getScript(name) }
        let result = storage.activationCompiler.checkForActivation(
            content, named: name, load: { try? store.getScript($0) })
        for diagnostic in result.diagnostics { print(diagnostic.render(fileName: name)) }
        guard result.isValid else { throw ExitCode.failure }
        try storage.perform { () throws(StorageError) in try store.setActive(name) }
    }
}

struct ActivateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "activate", abstract: "Make one of a user's scripts the active one (checked first).")
    @OptionGroup var options: UserOptions
    @Argument(help: "The script's name.") var name: String

    func run() throws {
        let storage = try UserStorage.open(options)
        try Activation.activate(try UserStorage.validName(name), in: storage)
    }
}

struct DeactivateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deactivate", abstract: "Leave a user with no active script.")
    @OptionGroup var options: UserOptions

    func run() throws {
        let storage = try UserStorage.open(options)
        try storage.perform { () throws(StorageError) in try storage.store.setActive(nil) }
    }
}

struct RenameCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rename", abstract: "Rename one of a user's scripts (an active script stays active).")
    @OptionGroup var options: UserOptions
    @Argument(help: "The current name.") var oldName: String
    @Argument(help: "The new name.") var newName: String

    func run() throws {
        let storage = try UserStorage.open(options)
        let from = try UserStorage.validName(oldName)
        let to = try UserStorage.validName(newName)
        try storage.perform { () throws(StorageError) in try storage.store.renameScript(from, to: to) }
    }
}

struct DeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete", abstract: "Delete one of a user's scripts (not the active one).")
    @OptionGroup var options: UserOptions
    @Argument(help: "The script's name.") var name: String

    func run() throws {
        let storage = try UserStorage.open(options)
        let name = try UserStorage.validName(name)
        try storage.perform { () throws(StorageError) in try storage.store.deleteScript(name) }
    }
}

extension FileHandle {
    func write(_ text: String) { write(Data(text.utf8)) }
}
