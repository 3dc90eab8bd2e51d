import ArgumentParser
import Auth
import Posix
import SieveStorage

// `managesievectl history USER [NAME]`: the earlier versions the server kept of a user's scripts
// (sieve_history_max_versions), listed or compared; read as the user, writing nothing.

struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "List the kept earlier versions of a user's scripts, or show what changed between two.",
        discussion: """
            One line per version, newest first: script, number (1 is the newest), when it was replaced or \
            deleted (UTC), size, what happened to it (replaced, replaced while active, deleted) and its id. \
            VERSION is a number or an id; 'current' is the script as stored now.
            Examples:
              managesievectl history alice
              managesievectl history alice rules --json
              managesievectl history alice rules --diff 1
              managesievectl history alice rules --diff 3 --diff 1
            """)
    @Option(name: [.customShort("c"), .customLong("config")], help: "The configuration file.")
    var file: String = "/etc/managesieved.conf"
    @Argument(help: "The user, as in the passwd-file.") var user: String
    @Argument(help: "The script (every script, deleted ones too, when omitted).") var name: String?
    @Flag(help: "JSON Lines: one object per version.") var json = false
    @Option(
        help: ArgumentHelp(
            "A unified diff from VERSION to the current script; given twice, from the first to the second.",
            valueName: "VERSION"))
    var diff: [String] = []

    func validate() throws {
        if !diff.isEmpty && name == nil { throw ValidationError("--diff needs a script NAME") }
        if diff.count > 2 { throw ValidationError("--diff is given at most twice") }
        if !diff.isEmpty && json { throw ValidationError("--diff and --json do not go together") }
    }

    func run() throws {
        do {
            let context = try AdminContext.load(configPath: file)
            let entry = try context.entry(named: user)
            let validName = try name.map { n throws(AccessError) in try UserStorage.validName(n) }
            try context.withStorage(of: entry, readOnly: true) { storage in
                let versions = try storage.perform { () throws(StorageError) in
                    try storage.store.history(of: validName)
                }
                if let validName, !diff.isEmpty {
                    let from = try VersionReference.content(diff[0], of: validName, versions: versions, storage)
                    let to = try VersionReference.content(
                        diff.count > 1 ? diff[1] : "current", of: validName, versions: versions, storage)
                    print(
                        LineDiff.unified(old: from.content, new: to.content, oldLabel: from.label, newLabel: to.label),
                        terminator: "")
                    return
                }
                var number: [String: Int] = [:]
                for version in versions {
                    number[version.script, default: 0] += 1
                    print(line(version, number: number[version.script]!, user: entry.user))
                }
            }
        } catch let error as AccessError {
            Output.error("managesievectl: \(error.message)\n")
            throw ExitStatus.failure
        }
    }

    func line(_ version: ScriptVersion, number: Int, user: String) -> String {
        let retired = Clock.iso8601(milliseconds: version.retiredAt)
        let written = Clock.iso8601(milliseconds: UInt64(max(0, version.writtenAt)) * 1000)
        let state = version.wasDeleted ? "deleted" : (version.wasActive ? "replaced (active)" : "replaced")
        if json {
            return JSONValue.object([
                ("user", .string(user)), ("script", .string(version.script)), ("version", .int(number)),
                ("id", .string(version.id)), ("retired", .string(retired)), ("written", .string(written)),
                ("size", .int(Int(clamping: version.size))), ("active", .bool(version.wasActive)),
                ("deleted", .bool(version.wasDeleted)),
            ]).text
        }
        return "\(version.script)\t\(number)\t\(retired)\t\(version.size)\t\(state)\t\(version.id)"
    }
}

/// A version as the admin names it: its number (1 = the newest kept), its id, or `current`.
enum VersionReference {
    static func find(
        _ reference: String, of name: String, in versions: [ScriptVersion]
    ) throws(AccessError)
        -> (version: ScriptVersion, number: Int)
    {
        let own = versions.filter { $0.script == name }
        if let number = Int(reference), number >= 1, number <= own.count { return (own[number - 1], number) }
        if let index = own.firstIndex(where: { $0.id == reference }) { return (own[index], index + 1) }
        throw AccessError(
            message: own.isEmpty
                ? "no earlier version of '\(name)' is kept"
                : "'\(name)' has no version '\(reference)' (1 to \(own.count), or an id from history)")
    }

    static func content(
        _ reference: String, of name: String, versions: [ScriptVersion], _ storage: UserStorage
    ) throws(AccessError) -> (content: [UInt8], label: String) {
        let store = storage.store
        if reference == "current" {
            // A deleted script compares as empty.
            let content = (try? store.getScript(name)) ?? []
            return (content, "\(name) (current)")
        }
        let (version, number) = try find(reference, of: name, in: versions)
        let content = try storage.perform { () throws(StorageError) in
            try store.historyContent(of: name, version: version.id)
        }
        return (content, "\(name) version \(number) (\(Clock.iso8601(milliseconds: version.retiredAt)))")
    }
}
