import ArgumentParser

// Placeholder until the owning issue's work lands in this file.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check", abstract: "(not yet available)")
    func run() throws { throw ExitCode.failure }
}
