import ArgumentParser
import Auth
import Config
import Glibc
import Posix
import ServerConfiguration
import TLS

/// `managesievectl config`: validates the configuration file and prints the effective settings.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check the configuration file and print the effective settings.",
        discussion: """
            Prints every setting as a `key = value` line, in the order of managesieved.conf(5); with -n, \
            only those that differ from the defaults. A bad file prints FILE:LINE: message and exits 1. \
            Also warns when passwd_file, ssl_cert or ssl_key cannot be read, and about malformed \
            passwd-file lines.
            """
    )

    @Option(name: [.customShort("c"), .customLong("config")], help: "The configuration file.")
    var file: String = "/etc/managesieved.conf"

    @Flag(
        name: [.customShort("n"), .customLong("non-default")],
        help: "Print only settings that differ from the defaults.")
    var onlyNonDefault = false

    /// The largest configuration file read.
    static let maxConfigSize = 1 << 20

    func run() throws {
        let text: [UInt8]
        do {
            text = try FileRead.readFile(path: file, maxSize: Self.maxConfigSize)
        } catch {
            Self.printError("config: cannot read the configuration: \(error)")
            throw ExitCode.failure
        }
        let settings: Settings
        do {
            settings = try ConfigParser.parse(text, fileName: file)
        } catch {
            Self.printError(error.description)
            throw ExitCode.failure
        }
        for warning in Self.warnings(for: settings) { Self.printError("warning: \(warning)") }
        if let problem = Self.tlsProblem(for: settings) {
            Self.printError("\(file): TLS: \(problem) (managesieved would refuse to start)")
            throw ExitCode.failure
        }
        for (key, value) in settings.entries(onlyNonDefault: onlyNonDefault) {
            print(value.isEmpty ? "\(key) =" : "\(key) = \(ConfigParser.quoteIfNeeded(value))")
        }
    }

    /// Builds the TLS context exactly as the server will, so that a mismatched key, an expired certificate or
    /// a bad protocol/cipher setting is reported now rather than on the first connection (where the server
    /// refuses service with BYE and exit status 78).
    static func tlsProblem(for settings: Settings) -> String? {
        guard let tls = settings.tlsSettings, FileRead.isReadable(tls.certificatePath), FileRead.isReadable(tls.keyPath)
        else { return nil }
        do {
            _ = try TLSServerContext(settings: tls)
            return nil
        } catch {
            return error.description
        }
    }

    /// Problems that do not make the file invalid but will stop logins or TLS from working.
    static func warnings(for settings: Settings) -> [String] {
        var warnings: [String] = []
        do {
            let passwd = try PasswdFile.load(path: settings.passwdFile)
            for problem in passwd.problems {
                warnings.append("\(settings.passwdFile):\(problem.line): \(problem.message) (line skipped)")
            }
        } catch {
            warnings.append("passwd_file: \(error)")
        }
        for (key, path) in [("ssl_cert", settings.sslCert), ("ssl_key", settings.sslKey), ("ssl_ca", settings.sslCA)] {
            guard let path else {
                if settings.ssl != .no && key != "ssl_ca" {
                    warnings.append("\(key) is not set but ssl = \(settings.ssl.rawValue)")
                }
                continue
            }
            if !FileRead.isReadable(path) { warnings.append("\(key): cannot read \(path)") }
        }
        return warnings
    }
}

extension ConfigCommand {
    /// Writes a line to standard error (unbuffered, so it interleaves correctly with prompts).
    static func printError(_ text: String) {
        var bytes = Array((text + "\n").utf8)
        bytes.withUnsafeMutableBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(2, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 && errno == EINTR { continue }
                if written <= 0 { return }
                offset += written
            }
        }
    }
}
