import ArgumentParser
import ServerConfiguration

/// The admin tool. Each subcommand lives in its own file (`<Name>Command.swift`).
@main
struct ManageSieveCtl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "managesievectl",
        abstract: "Administer managesieved: check configuration and scripts, hash passwords, inspect transcripts.",
        version: BuildInfo.versionText(program: "managesievectl"),
        subcommands: [
            ConfigCommand.self, CheckCommand.self, HashPasswordCommand.self, TranscriptCommand.self,
            ListCommand.self, GetCommand.self, PutCommand.self, ActivateCommand.self, DeactivateCommand.self,
            RenameCommand.self, DeleteCommand.self, PasswdIndexCommand.self, OAuth2Command.self,
        ]
    )
}

/// Exit statuses, one convention for every subcommand (sysexits(3) numbers, as the argument parser and
/// managesieved use): 0 success; 1 a negative answer or a failed action (invalid script or configuration,
/// different replay answers, a storage error); 64 (EX_USAGE) a usage error; 69 (EX_UNAVAILABLE) a
/// transcript replay that could not be carried out.
enum ExitStatus {
    static let failure = ExitCode.failure
    static let usage = ExitCode(64)
    static let unavailable = ExitCode(69)
}
