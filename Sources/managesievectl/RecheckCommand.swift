import ArgumentParser
import Auth
import SieveCompiler
import SieveStorage

/// `managesievectl recheck`: after an upgrade or a configuration change (an extension switched off, a limit
/// lowered), scripts that were accepted at upload may fail at delivery. This re-validates every stored
/// script of the selected users against the current configuration, reading each user's storage as that user
/// and writing nothing: the active script with SETACTIVE's rules (its includes loaded, their problems being
/// errors, as delivery runs it), the others with PUTSCRIPT's.
struct RecheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recheck",
        abstract: "Re-validate users' stored scripts against the current configuration (read-only).",
        discussion: """
            Reports each broken script with its errors ('*' marks the active one) and a summary line. \
            JSON Lines: {"user":…,"script":…,"active":…,"valid":false,"diagnostics":[{"line","column",\
            "severity","message"}]} per broken script, {"user":…,"ok":false,"error":…} per user that could not \
            be checked, and a last {"summary":{…}}.
            Exit status: 0 every script compiles; 1 an active script is broken (delivery fails now); \
            65 only inactive scripts are broken; 74 some user could not be checked (and no active script is \
            broken); 78 the configuration or passwd-file is unusable; 64 usage error.
            Examples:
              managesievectl recheck --all-users
              managesievectl recheck alice bob --json
              managesievectl recheck -u '*@example.org' -c /etc/managesieved-new.conf
            """)

    @OptionGroup var selection: UserSelection

    @Argument(help: "Users (or masks) to check.")
    var users: [String] = []

    func validate() throws {
        let ways = (selection.allUsers ? 1 : 0) + (selection.masks.isEmpty ? 0 : 1) + (users.isEmpty ? 0 : 1)
        guard ways == 1 else { throw ValidationError("give USER…, -u MASK or --all-users (exactly one of them)") }
    }

    /// What one run found.
    struct Tally {
        var users = 0
        var scripts = 0
        var broken = 0
        var brokenActive = 0
        var unreadable = 0

        var exitCode: ExitCode {
            if brokenActive > 0 { return ExitStatus.failure }
            if unreadable > 0 { return ExitStatus.ioError }
            if broken > 0 { return ExitStatus.dataError }
            return .success
        }
    }

    func run() throws {
        var selection = self.selection
        if !selection.allUsers && selection.masks.isEmpty { selection.masks = users }
        let run: StorageRun
        do {
            run = try StorageRun(selection)
        } catch {
            throw ExitStatus.config
        }
        var tally = Tally()
        let entries = run.entries(positional: nil)
        tally.unreadable = run.failures
        for entry in entries {
            tally.users += 1
            do {
                try run.context.withStorage(of: entry, readOnly: true) { storage in
                    try check(storage, tally: &tally)
                }
            } catch {
                tally.unreadable += 1
                run.report(user: entry.user, error)
            }
        }
        let summary =
            "recheck: \(tally.users) users, \(tally.scripts) scripts, \(tally.broken) broken "
            + "(\(tally.brokenActive) active), \(tally.unreadable) not checked"
        if selection.json {
            print(
                JSONValue.object([
                    (
                        "summary",
                        .object([
                            ("users", .int(tally.users)), ("scripts", .int(tally.scripts)),
                            ("broken", .int(tally.broken)), ("brokenActive", .int(tally.brokenActive)),
                            ("notChecked", .int(tally.unreadable)),
                        ])
                    )
                ]).text)
        } else {
            print(summary)
        }
        let code = tally.exitCode
        if code != .success { throw code }
    }

    /// Every script of one user; a script that cannot be read counts as the user not being checked.
    func check(_ storage: UserStorage, tally: inout Tally) throws {
        let store = storage.store
        var scripts = try storage.perform { () throws(StorageError) in try store.listScripts() }.map {
            (name: $0.name, isActive: $0.isActive, content: [UInt8]?.none)
        }
        // A regular file at the active link's place (from before ManageSieve) is what delivery runs: checked as
        // the active script under the link's own name, and left where it is (a change command rescues it).
        if let regular = try storage.perform({ () throws(StorageError) in try store.regularFileAtActiveLink() }) {
            let linkName = String(store.activeLinkPath.split(separator: "/").last ?? "")
            scripts.append((name: linkName, isActive: true, content: regular))
        }
        for script in scripts {
            tally.scripts += 1
            let content =
                try script.content
                ?? storage.perform { () throws(StorageError) in try store.getScript(script.name) }
            let result =
                script.isActive
                ? storage.activationCompiler.checkForActivation(
                    content, named: script.name, load: { try? store.getScript($0) })
                : storage.compiler.compile(
                    content, includeExists: { $0.isGlobal || ((try? store.scriptExists($0.name)) ?? false) })
            guard !result.isValid else { continue }
            tally.broken += 1
            if script.isActive { tally.brokenActive += 1 }
            let errors = result.diagnostics.filter { $0.severity == .error }
            if selection.json {
                print(
                    JSONValue.object([
                        ("user", .string(storage.entry.user)), ("script", .string(script.name)),
                        ("active", .bool(script.isActive)), ("valid", .bool(false)),
                        ("diagnostics", StorageRun.diagnosticsJSON(errors)),
                    ]).text)
            } else {
                print("\(script.isActive ? "*" : " ") \(storage.entry.user) \(script.name)")
                for diagnostic in errors { print("    \(diagnostic.render(fileName: script.name))") }
            }
        }
    }
}
