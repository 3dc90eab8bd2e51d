import ArgumentParser
import ServerConfiguration

/// The admin tool. Each subcommand lives in its own file (`<Name>Command.swift`).
@main
struct ManageSieveCtl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "managesievectl",
        abstract: "Administer managesieved: check configuration and scripts, hash passwords, inspect transcripts.",
        discussion: """
            Storage commands take one USER, or every user (-A, --all-users), or the users matching masks \
            (-u MASK, * and ? wildcards, repeatable), as doveadm sieve does; --json prints JSON Lines.
            Examples:
              managesievectl list alice
              managesievectl list -A --json
              managesievectl list -u '*@example.org'
              managesievectl get -u 'a*' rules
              managesievectl put -A spam spam.sieve --activate
              managesievectl activate -u '*@example.org' rules
              managesievectl deactivate -A --json
              managesievectl rename -u 'a*' vacation vacation-old
              managesievectl delete -A vacation-old
              managesievectl recheck --all-users -c /etc/managesieved.conf
              managesievectl transcript session.log --replay localhost:4190 --starttls --password-file pw
            """,
        version: BuildInfo.versionText(program: "managesievectl"),
        subcommands: [
            ConfigCommand.self, CheckCommand.self, HashPasswordCommand.self, TranscriptCommand.self,
            ListCommand.self, GetCommand.self, PutCommand.self, ActivateCommand.self, DeactivateCommand.self,
            RenameCommand.self, DeleteCommand.self, PasswdIndexCommand.self, OAuth2Command.self,
            RecheckCommand.self, TestCommand.self,
            HistoryCommand.self, RestoreCommand.self,
        ]
    )

    /// `test` skips the argument parser when its words are in the plain forms (`TestRun.parse`), and is
    /// otherwise handed to it as a command of its own: parsing from the root first builds the root's
    /// arguments and two parsers looking for --generate-completion-script, and each new argument type costs a
    /// scan of every protocol conformance in the binary. When neither gives a command to run (--help, a usage
    /// error), the arguments go through the root after all, so help and error messages name `managesievectl
    /// test` as for every other subcommand.
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard arguments.first == TestCommand.configuration.commandName else { return main(arguments) }
        do {
            if let run = TestRun.parse(Array(arguments.dropFirst())) {
                try run.run()
            } else if let command = try? TestCommand.parse(Array(arguments.dropFirst())) {
                try command.run()
            } else {
                main(arguments)
            }
        } catch {
            exit(withError: error)
        }
    }
}

/// Exit statuses, one convention for every subcommand (sysexits(3) numbers, as the argument parser and
/// managesieved use): 0 success; 1 a negative answer or a failed action (invalid script or configuration,
/// different replay answers, a storage error, an active script that `recheck` finds broken); 64 (EX_USAGE) a
/// usage error; 65 (EX_DATAERR) `recheck` found only inactive scripts broken; 69 (EX_UNAVAILABLE) a transcript
/// replay that could not be carried out; 74 (EX_IOERR) `recheck` could not read some user's storage; 78
/// (EX_CONFIG) `recheck` could not use the configuration or passwd-file.
enum ExitStatus {
    static let failure = ExitCode.failure
    static let usage = ExitCode(64)
    static let dataError = ExitCode(65)
    static let unavailable = ExitCode(69)
    static let ioError = ExitCode(74)
    static let config = ExitCode(78)
}
