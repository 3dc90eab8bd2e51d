import ArgumentParser
import ManageSieveServer
import Posix
import SieveCompiler
import SieveStorage

// `managesievectl restore USER NAME [VERSION]`: a kept version becomes the current script again, through
// what an upload goes through (the compiler with the configured extensions, the include rules of the active
// script, the quota); the version it replaces is kept in turn.

struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Make a kept earlier version of a user's script the current one (checked as an upload).",
        discussion: """
            VERSION is a number from 'managesievectl history' (1, the newest kept, by default) or a version \
            id. A deleted script comes back under its name, inactive; an active one stays active. The \
            version replaced by the restore is kept in the history.
            Examples:
              managesievectl restore alice rules
              managesievectl restore alice rules 3
            """)
    @Option(name: [.customShort("c"), .customLong("config")], help: "The configuration file.")
    var file: String = "/etc/managesieved.conf"
    @Argument(help: "The user, as in the passwd-file.") var user: String
    @Argument(help: "The script.") var name: String
    @Argument(help: "The version: a number (1 is the newest kept) or an id.") var version: String = "1"

    func run() throws {
        do {
            let context = try AdminContext.load(configPath: file)
            let entry = try context.entry(named: user)
            let name = try UserStorage.validName(name)
            try context.withStorage(of: entry, readOnly: false) { storage in try restore(name, in: storage) }
        } catch let error as AccessError {
            Output.error("managesievectl: \(error.message)\n")
            throw ExitStatus.failure
        }
    }

    func restore(_ name: String, in storage: UserStorage) throws {
        let store = storage.store
        let versions = try storage.perform { () throws(StorageError) in try store.history(of: name) }
        let (kept, number) = try VersionReference.find(version, of: name, in: versions)
        let content = try storage.perform { () throws(StorageError) in
            try store.historyContent(of: name, version: kept.id)
        }
        guard content.count <= storage.maxScriptSize else {
            throw AccessError(message: "version larger than the limit of \(storage.maxScriptSize) bytes")
        }
        let result = storage.compiler.compile(
            content, includeExists: { $0.isGlobal || ((try? store.scriptExists($0.name)) ?? false) })
        for diagnostic in result.diagnostics { print(diagnostic.render(fileName: "\(name) version \(number)")) }
        guard result.isValid else {
            throw AccessError(message: "version \(number) of '\(name)' does not compile with this configuration")
        }
        if let refusal = try storage.keepingIncludes(
            { integrity throws(StorageError) in try integrity.checkReplacement(of: name, with: content) },
            { () throws(StorageError) in try store.putScript(name, content: content) })
        {
            throw refusal
        }
        print("restored '\(name)' from version \(number) (\(Clock.iso8601(milliseconds: kept.retiredAt)))")
    }
}
