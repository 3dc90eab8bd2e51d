import ArgumentParser

// Placeholder until the owning issue's work lands in this file.
struct HashPasswordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "hash-password", abstract: "(not yet available)")
    func run() throws { throw ExitCode.failure }
}
