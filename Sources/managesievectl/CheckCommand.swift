import ArgumentParser
import Config
import Posix
import ServerConfiguration
import SieveCompiler

/// `managesievectl check [-c CONFIG] [--extensions LIST] [--upload] FILE…`: compiles Sieve scripts as the
/// server would and prints `FILE:LINE:COL: error: …` / `warning: …` lines on standard output.
/// Exit status: 0 when every file is valid, 1 otherwise, 64 on usage errors (`ExitStatus`).
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check Sieve scripts the way the server does.",
        discussion: """
            Prints FILE:LINE:COLUMN: error: … and warning: … lines. '-' reads standard input. With -c, \
            sieve_extensions, sieve_max_redirects, managesieve_max_compile_errors and the script size \
            limit come from the configuration. A missing included script is an error (as at activation \
            and in sievec) unless --upload is given (as at PUTSCRIPT). Exits 0 when every file is valid, \
            1 otherwise, 64 on usage errors.
            """
    )

    @Option(name: [.customShort("c"), .customLong("config")], help: "The configuration file.")
    var configFile: String?

    @Option(name: .customLong("extensions"), help: "A sieve_extensions list: names, +name, -name.")
    var extensions: String?

    @Flag(name: .customLong("upload"), help: "Judge as at PUTSCRIPT: a missing include is only a warning.")
    var upload = false

    @Argument(parsing: .allUnrecognized, help: "The scripts to check ('-' for standard input).")
    var files: [String] = []

    static func usage(_ message: String) -> ExitCode {
        Output.error("managesievectl check: \(message)\n")
        return ExitStatus.usage
    }

    func run() throws {
        if let bad = files.first(where: { $0.hasPrefix("-") && $0 != "-" }) {
            throw Self.usage("unknown option '\(bad)'")
        }
        if files.isEmpty { throw Self.usage("no script given (use '-' for standard input)") }
        let options = try compileOptions()
        let compiler = SieveCompiler(options: options)
        var allValid = true
        for file in files {
            let name = file == "-" ? "<stdin>" : file
            guard let script = Self.read(file, limit: max(options.limits.maxScriptSize, 1 << 20) * 16) else {
                print("\(name): error: cannot read the script")
                allValid = false
                continue
            }
            let directory = file == "-" ? "." : TestRun.directory(of: file)
            let result = compiler.compile(
                script,
                includeExists: { ref in
                    // Personal includes are looked up next to the script; global ones are not checked.
                    ref.isGlobal || FileRead.exists(directory + "/" + ref.name + ".sieve")
                })
            for diagnostic in result.diagnostics { print(diagnostic.render(fileName: name)) }
            if !result.isValid { allValid = false }
        }
        if !allValid { throw ExitStatus.failure }
    }

    private func compileOptions() throws -> CompileOptions {
        try Self.options(
            configFile: configFile, extensions: extensions, includeProblemsAreErrors: !upload, usage: Self.usage)
    }

    /// The compiler's options from `configFile` (defaults without one), `sieve_extensions` replaced by
    /// `extensions` when given; a problem is a usage error through `usage` (`check` and `test` alike).
    static func options(
        configFile: String?, extensions: String?, includeProblemsAreErrors: Bool, usage: (String) -> ExitCode
    ) throws -> CompileOptions {
        var settings = Settings()
        if let configFile {
            do {
                let text = try FileRead.readFile(path: configFile, maxSize: 1 << 20)
                settings = try ConfigParser.parse(text, fileName: configFile)
            } catch let error as ConfigError {
                throw usage(error.description)
            } catch {
                throw usage("cannot read the configuration \(configFile): \(error)")
            }
        }
        if let extensions { settings.sieveExtensions = extensions }
        do {
            var options = try settings.compileOptions()
            options.includeProblemsAreErrors = includeProblemsAreErrors
            return options
        } catch {
            throw usage("sieve_extensions: \(error.message)")
        }
    }

    /// Reads a file or standard input, at most `limit` bytes (the compiler reports oversize scripts).
    static func read(_ file: String, limit: Int) -> [UInt8]? {
        if file == "-" {
            return Output.readStandardInput(limit: limit)
        }
        return try? FileRead.readFile(path: file, maxSize: limit)
    }
}
