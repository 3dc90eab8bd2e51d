import ArgumentParser
import Auth
import Config
import Posix

/// `managesievectl passwd-index`: builds (or checks) the index of the passwd-file.
struct PasswdIndexCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "passwd-index",
        abstract: "Build the index of the passwd-file (PASSWD_FILE.index), or check that it is fresh.",
        discussion: """
            managesieved rebuilds a missing or stale index itself on the first connection after the file \
            changed; running this after editing a large passwd-file spares that connection the scan. \
            With --check nothing is written and the exit status is 1 when the index would not be used.
            """
    )

    @Option(name: [.customShort("c"), .customLong("config")], help: "The configuration file.")
    var file: String = "/etc/managesieved.conf"

    @Flag(help: "Only report whether the index is fresh; write nothing.")
    var check = false

    func run() throws {
        let settings: Settings
        do {
            settings = try ConfigParser.parse(try FileRead.readFile(path: file, maxSize: 1 << 20), fileName: file)
        } catch {
            ConfigCommand.printError("passwd-index: \(error)")
            throw ExitCode.failure
        }
        let passwd = settings.passwdFile
        if check {
            if let problem = PasswdDatabase.indexProblem(path: passwd) {
                ConfigCommand.printError(problem)
                throw ExitCode.failure
            }
            print("\(passwd).index: fresh")
            return
        }
        do {
            let built = try PasswdDatabase.rebuildIndex(path: passwd)
            let scram = built.scram.isEmpty ? "none" : built.scram.map(\.mechanism).joined(separator: " ")
            print("\(built.indexPath): \(built.lines) lines indexed; SCRAM usable: \(scram)")
        } catch {
            ConfigCommand.printError("passwd-index: \(error)")
            throw ExitCode.failure
        }
    }
}
