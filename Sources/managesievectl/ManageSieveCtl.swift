import ArgumentParser

/// The admin tool. Each subcommand lives in its own file (`<Name>Command.swift`).
@main
struct ManageSieveCtl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "managesievectl",
        abstract: "Administer managesieved: check configuration and scripts, hash passwords, inspect transcripts.",
        subcommands: [
            ConfigCommand.self, CheckCommand.self, HashPasswordCommand.self, TranscriptCommand.self,
            ListCommand.self, GetCommand.self, PutCommand.self, ActivateCommand.self, DeactivateCommand.self,
            RenameCommand.self, DeleteCommand.self,
        ]
    )
}
