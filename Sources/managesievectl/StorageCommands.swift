import ArgumentParser
import Auth
import Config
import ManageSieveServer
import ServerConfiguration
import SieveCompiler
import SieveStorage

// `managesievectl list/get/put/activate/deactivate/rename/delete`: an admin's direct access to users' scripts
// (migrations, repairs), like `doveadm sieve`: one user (`USER` first), every user (`-A`), or the users whose
// names match masks (`-u 'a*' -u '*@example.org'`). The same store, locks, quotas and compiler checks as the
// server; each user's storage is reached acting as that user (UserStorage.swift), so files keep the user's
// ownership and nothing outside the user's rights is touched. list and get never write anything.

/// Which users, the configuration, and the output form; shared by the storage commands and `recheck`.
struct UserSelection: ParsableArguments {
    @Option(name: [.customShort("c"), .customLong("config")], help: "The configuration file.")
    var file: String = "/etc/managesieved.conf"

    @Flag(name: [.customShort("A"), .customLong("all-users")], help: "Every user of the passwd-file.")
    var allUsers = false

    @Option(
        name: [.customShort("u"), .customLong("user")],
        help: ArgumentHelp(
            "A user, or a mask with * and ? (as doveadm's -u); may be repeated.", valueName: "user-or-mask"))
    var masks: [String] = []

    @Flag(help: "JSON Lines on standard output: one object per user and script.")
    var json = false

    /// Whether the users come from -A/-u (then every positional argument is a script name or file).
    var usesOptions: Bool { allUsers || !masks.isEmpty }

    func validate() throws {
        if allUsers && !masks.isEmpty { throw ValidationError("give either --all-users or --user, not both") }
    }

    /// Splits the positional arguments: without -A/-u the first is the user. `count` is how many the command
    /// takes besides the user.
    func split(_ arguments: [String], count: Int, names: String) throws -> (user: String?, rest: [String]) {
        if usesOptions {
            guard arguments.count == count else {
                throw ValidationError("expected \(names) after the options (the users come from -A/-u)")
            }
            return (nil, arguments)
        }
        guard arguments.count == count + 1 else {
            throw ValidationError("expected USER\(names.isEmpty ? "" : " " + names) (or -A / -u MASK instead of USER)")
        }
        return (arguments[0], Array(arguments.dropFirst()))
    }
}

/// One storage command's run over the selected users: errors of one user are reported and the others go on;
/// the exit status is 1 when any user failed.
final class StorageRun {
    let context: AdminContext
    let selection: UserSelection
    private(set) var failures = 0

    /// Reads the configuration and passwd-file; exits 1 with the reason when it cannot.
    init(_ selection: UserSelection) throws {
        do {
            context = try AdminContext.load(configPath: selection.file)
        } catch {
            Output.error("managesievectl: \(error.message)\n")
            throw ExitStatus.failure
        }
        self.selection = selection
    }

    /// The selected users' entries; unknown names and masks that match nobody are reported as failures.
    func entries(positional user: String?) -> [PasswdEntry] {
        let masks = user.map { [$0] } ?? (selection.allUsers ? ["*"] : selection.masks)
        var result: [PasswdEntry] = []
        var seen = Set<String>()
        for mask in masks {
            let found: [PasswdEntry]
            if UserMask.isPattern(mask) {
                found = context.users(matching: [mask])
                if found.isEmpty && !selection.allUsers {
                    report(user: nil, AccessError(message: "no user matches '\(mask)'"))
                }
            } else {
                do {
                    found = [try context.entry(named: mask)]
                } catch {
                    report(user: mask, error)
                    continue
                }
            }
            for entry in found where seen.insert(entry.user).inserted { result.append(entry) }
        }
        return result
    }

    /// Runs `body` for each selected user with that user's storage.
    func forEachUser(
        positional user: String?, readOnly: Bool, _ body: (UserStorage) throws -> Void
    ) {
        for entry in entries(positional: user) {
            do {
                try context.withStorage(of: entry, readOnly: readOnly, body)
            } catch {
                report(user: entry.user, error)
            }
        }
    }

    /// One user's failure: a JSON object with `error`, or a line on standard error.
    /// `text` as a script name; an invalid one is reported (as text or JSON) and ends the command before any
    /// user is visited.
    func validName(_ text: String) throws -> String {
        do {
            return try UserStorage.validName(text)
        } catch {
            report(user: nil, error)
            throw ExitStatus.failure
        }
    }

    func report(user: String?, _ error: any Error, script: String? = nil, extra: [(String, JSONValue)] = []) {
        failures += 1
        let message = (error as? AccessError)?.message ?? "\(error)"
        if selection.json {
            var members: [(String, JSONValue)] = []
            if let user { members.append(("user", .string(user))) }
            if let script { members.append(("script", .string(script))) }
            members.append(("ok", .bool(false)))
            members.append(("error", .string(message)))
            print(JSONValue.object(members + extra).text)
        } else {
            let who = user.map { selection.usesOptions ? "\($0): " : "" } ?? ""
            Output.error("managesievectl: \(who)\(message)\n")
        }
    }

    /// A mutation's success: a JSON object, or (with several users) a line naming the user.
    func done(_ storage: UserStorage, script: String?, text: String) {
        if selection.json {
            var members: [(String, JSONValue)] = [("user", .string(storage.entry.user))]
            if let script { members.append(("script", .string(script))) }
            members.append(("ok", .bool(true)))
            print(JSONValue.object(members).text)
        } else if selection.usesOptions {
            print("\(storage.entry.user): \(text)")
        }
    }

    /// Exit status 1 when any user failed.
    func finish() throws {
        if failures > 0 { throw ExitStatus.failure }
    }

    static func diagnosticsJSON(_ diagnostics: [Diagnostic]) -> JSONValue {
        .array(
            diagnostics.map { diagnostic in
                .object([
                    ("line", .int(diagnostic.line)), ("column", .int(diagnostic.column)),
                    ("severity", .string(diagnostic.severity == .error ? "error" : "warning")),
                    ("message", .string(diagnostic.message)),
                ])
            })
    }
}

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List users' scripts; the active one is marked with '*'.",
        discussion: """
            Text: '* NAME<TAB>SIZE' per script ('USER<TAB>' first with -A/-u). \
            JSON: {"user":…,"script":…,"active":…,"size":…} per script.
            Examples:
              managesievectl list alice
              managesievectl list -A --json
              managesievectl list -u '*@example.org'
            """)
    @OptionGroup var selection: UserSelection
    @Argument(help: "USER (omitted with -A or -u).") var arguments: [String] = []

    func run() throws {
        let (user, _) = try selection.split(arguments, count: 0, names: "")
        let run = try StorageRun(selection)
        run.forEachUser(positional: user, readOnly: true) { storage in
            for script in try storage.perform({ () throws(StorageError) in try storage.store.listScripts() }) {
                if selection.json {
                    print(
                        JSONValue.object([
                            ("user", .string(storage.entry.user)), ("script", .string(script.name)),
                            ("active", .bool(script.isActive)), ("size", .int(script.size)),
                        ]).text)
                } else {
                    let prefix = selection.usesOptions ? "\(storage.entry.user)\t" : ""
                    print("\(prefix)\(script.isActive ? "*" : " ") \(script.name)\t\(script.size)")
                }
            }
        }
        try run.finish()
    }
}

struct GetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get", abstract: "Print a script of one or more users on standard output.",
        discussion: """
            With -A/-u each user's script is preceded by a line '==> USER <=='. \
            JSON: {"user":…,"script":…,"active":…,"content":…} (invalid UTF-8 shown as U+FFFD).
            Examples:
              managesievectl get alice rules > rules.sieve
              managesievectl get -u 'a*' --json rules
            """)
    @OptionGroup var selection: UserSelection
    @Argument(help: "[USER] NAME (USER omitted with -A or -u).") var arguments: [String] = []

    func run() throws {
        let (user, rest) = try selection.split(arguments, count: 1, names: "NAME")
        let run = try StorageRun(selection)
        let name = try run.validName(rest[0])
        run.forEachUser(positional: user, readOnly: true) { storage in
            let content = try storage.perform { () throws(StorageError) in try storage.store.getScript(name) }
            if selection.json {
                let active = try storage.perform { () throws(StorageError) in try storage.store.activeScript() }
                print(
                    JSONValue.object([
                        ("user", .string(storage.entry.user)), ("script", .string(name)),
                        ("active", .bool(active == name)), ("content", .script(content)),
                    ]).text)
                return
            }
            // Through the same unbuffered handle as the script, so the two cannot be reordered.
            if selection.usesOptions { Output.standardOutput(Array("==> \(storage.entry.user) <==\n".utf8)) }
            Output.standardOutput(content)
        }
        try run.finish()
    }
}

struct PutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "put",
        abstract: "Store a script for one or more users (checked by the compiler first, as PUTSCRIPT does).",
        discussion: """
            FILE '-' reads standard input (read once, stored for every selected user). With --activate the \
            script also becomes the active one. JSON: {"user":…,"script":…,"ok":…} per user, with "error" and \
            "diagnostics" when refused.
            Examples:
              managesievectl put alice rules rules.sieve --activate
              managesievectl put -A spam - < spam.sieve
            """)
    @OptionGroup var selection: UserSelection
    @Argument(help: "[USER] NAME FILE (USER omitted with -A or -u; FILE - for standard input).")
    var arguments: [String] = []
    @Flag(help: "Make it the active script too.") var activate = false

    func run() throws {
        let (user, rest) = try selection.split(arguments, count: 2, names: "NAME FILE")
        let file = rest[1]
        let run = try StorageRun(selection)
        let name = try run.validName(rest[0])
        // Read once, before any user: standard input cannot be read twice, and a file is read as root.
        guard let content = CheckCommand.read(file, limit: Settings.hardScriptSizeLimit + 1) else {
            run.report(user: nil, AccessError(message: "cannot read \(file)"))
            throw ExitStatus.failure
        }
        guard !content.isEmpty else {
            run.report(user: nil, AccessError(message: "an empty script is not allowed"))
            throw ExitStatus.failure
        }
        run.forEachUser(positional: user, readOnly: false) { storage in
            guard content.count <= storage.maxScriptSize else {
                throw AccessError(message: "script larger than the limit of \(storage.maxScriptSize) bytes")
            }
            let store = storage.store
            let result = storage.compiler.compile(
                content, includeExists: { $0.isGlobal || ((try? store.scriptExists($0.name)) ?? false) })
            if !selection.json {
                for diagnostic in result.diagnostics { print(diagnostic.render(fileName: file == "-" ? name : file)) }
            }
            guard result.isValid else {
                run.report(
                    user: storage.entry.user, AccessError(message: "'\(name)' does not compile"), script: name,
                    extra: [("diagnostics", StorageRun.diagnosticsJSON(result.diagnostics))])
                return
            }
            // A script the active script includes is stored only if the active script still compiles with it.
            if let refusal = try storage.keepingIncludes(
                { integrity throws(StorageError) in try integrity.checkReplacement(of: name, with: content) },
                { () throws(StorageError) in try store.putScript(name, content: content) })
            {
                run.report(user: storage.entry.user, refusal, script: name)
                return
            }
            if activate { try Activation.activate(name, in: storage, quiet: selection.json) }
            run.done(storage, script: name, text: "stored '\(name)'\(activate ? " and activated it" : "")")
        }
        try run.finish()
    }
}

enum Activation {
    /// SETACTIVE's rules: the script and what it includes must compile, include problems being errors.
    static func activate(_ name: String, in storage: UserStorage, quiet: Bool) throws {
        let store = storage.store
        let content = try storage.perform { () throws(StorageError) in try store.getScript(name) }
        let result = storage.activationCompiler.checkForActivation(
            content, named: name, load: { try? store.getScript($0) })
        if !quiet { for diagnostic in result.diagnostics { print(diagnostic.render(fileName: name)) } }
        guard result.isValid else { throw AccessError(message: "'\(name)' cannot be activated: it does not compile") }
        try storage.perform { () throws(StorageError) in try store.setActive(name) }
    }
}

struct ActivateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "activate",
        abstract: "Make a script the active one for one or more users (checked first, as SETACTIVE).",
        discussion: """
            Examples:
              managesievectl activate alice rules
              managesievectl activate -u '*@example.org' --json rules
            """)
    @OptionGroup var selection: UserSelection
    @Argument(help: "[USER] NAME (USER omitted with -A or -u).") var arguments: [String] = []

    func run() throws {
        let (user, rest) = try selection.split(arguments, count: 1, names: "NAME")
        let run = try StorageRun(selection)
        let name = try run.validName(rest[0])
        run.forEachUser(positional: user, readOnly: false) { storage in
            try Activation.activate(name, in: storage, quiet: selection.json)
            run.done(storage, script: name, text: "activated '\(name)'")
        }
        try run.finish()
    }
}

struct DeactivateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deactivate", abstract: "Leave one or more users with no active script.",
        discussion: """
            Examples:
              managesievectl deactivate alice
              managesievectl deactivate -A --json
            """)
    @OptionGroup var selection: UserSelection
    @Argument(help: "USER (omitted with -A or -u).") var arguments: [String] = []

    func run() throws {
        let (user, _) = try selection.split(arguments, count: 0, names: "")
        let run = try StorageRun(selection)
        run.forEachUser(positional: user, readOnly: false) { storage in
            try storage.perform { () throws(StorageError) in try storage.store.setActive(nil) }
            run.done(storage, script: nil, text: "no active script")
        }
        try run.finish()
    }
}

struct RenameCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rename", abstract: "Rename a script of one or more users (an active script stays active).",
        discussion: """
            Examples:
              managesievectl rename alice old new
              managesievectl rename -u 'a*' --json vacation vacation-2025
            """)
    @OptionGroup var selection: UserSelection
    @Argument(help: "[USER] OLD NEW (USER omitted with -A or -u).") var arguments: [String] = []

    func run() throws {
        let (user, rest) = try selection.split(arguments, count: 2, names: "OLD NEW")
        let run = try StorageRun(selection)
        let from = try run.validName(rest[0])
        let to = try run.validName(rest[1])
        run.forEachUser(positional: user, readOnly: false) { storage in
            if let refusal = try storage.keepingIncludes(
                { integrity throws(StorageError) in try integrity.checkRename(from, to: to) },
                { () throws(StorageError) in try storage.store.renameScript(from, to: to) })
            {
                run.report(user: storage.entry.user, refusal, script: from)
                return
            }
            run.done(storage, script: to, text: "renamed '\(from)' to '\(to)'")
        }
        try run.finish()
    }
}

struct DeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete a script of one or more users (never the active one nor one it includes).",
        discussion: """
            Examples:
              managesievectl delete alice old
              managesievectl delete -A --json old
            """)
    @OptionGroup var selection: UserSelection
    @Argument(help: "[USER] NAME (USER omitted with -A or -u).") var arguments: [String] = []

    func run() throws {
        let (user, rest) = try selection.split(arguments, count: 1, names: "NAME")
        let run = try StorageRun(selection)
        let name = try run.validName(rest[0])
        run.forEachUser(positional: user, readOnly: false) { storage in
            if let refusal = try storage.keepingIncludes(
                { integrity throws(StorageError) in try integrity.checkRemoval(of: name) },
                { () throws(StorageError) in try storage.store.deleteScript(name) })
            {
                run.report(user: storage.entry.user, refusal, script: name)
                return
            }
            run.done(storage, script: name, text: "deleted '\(name)'")
        }
        try run.finish()
    }
}
