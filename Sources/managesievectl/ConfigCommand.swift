import ArgumentParser

// Placeholder until the owning issue's work lands in this file.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "config", abstract: "(not yet available)")
    func run() throws { throw ExitCode.failure }
}
