import ArgumentParser
import Auth
import Glibc

/// `managesievectl hash-password`: makes a passwd-file password field.
struct HashPasswordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash-password",
        abstract: "Hash a password for the passwd-file.",
        discussion: """
            On a terminal, asks for the password twice without echo; otherwise reads one line from standard \
            input. Prints the password field, {SCHEME}hash, with a fresh random salt. Schemes: YESCRYPT (the default, written as {CRYPT}$y$…), SHA512-CRYPT, \
            SHA256-CRYPT, BLF-CRYPT (cost 10), MD5-CRYPT (weak; only for old clients of the file), Dovecot's \
            ARGON2ID, ARGON2I and PBKDF2, and SCRAM-SHA-256 and SCRAM-SHA-1 (Dovecot's {SCRAM-SHA-256}iterations,salt,StoredKey,ServerKey; they \
            let the user log in with SASL SCRAM as well as PLAIN and LOGIN).
            """
    )

    @Option(name: [.customShort("s"), .customLong("scheme")], help: "The password scheme.")
    var scheme: String = "YESCRYPT"

    @Option(
        name: .customLong("rounds"),
        help: "SCRAM iterations (default 4096, at least 4096), PBKDF2 rounds, Argon2 passes or the crypt scheme's cost."
    )
    var rounds: UInt?

    func validate() throws {
        guard let parsed = PasswordScheme(name: scheme) else {
            throw ValidationError(
                "unknown scheme '\(scheme)' (expected one of: \(PasswordScheme.allCases.map(\.rawValue).joined(separator: ", ")))"
            )
        }
        if let rounds, parsed.scramHash != nil,
            Int(clamping: rounds) < SCRAMCredentials.minimumIterations
                || Int(clamping: rounds) > SCRAMCredentials.maximumIterations
        {
            throw ValidationError(
                "--rounds for \(parsed.rawValue) must be between \(SCRAMCredentials.minimumIterations) and "
                    + "\(SCRAMCredentials.maximumIterations)")
        }
    }

    /// Longest password line accepted.
    static let maxPasswordLength = 4096

    func run() throws {
        guard let scheme = PasswordScheme(name: scheme) else { throw ExitCode.failure }
        var password: [UInt8]
        if isatty(0) == 1 {
            guard let first = Self.readHidden(prompt: "Password: ") else { throw ExitCode.failure }
            guard let second = Self.readHidden(prompt: "Retype password: ") else { throw ExitCode.failure }
            guard first == second else {
                Self.writeError("hash-password: the passwords do not match\n")
                throw ExitCode.failure
            }
            password = first
        } else {
            guard let line = Self.readLine(fd: 0) else {
                Self.writeError("hash-password: no password on standard input\n")
                throw ExitCode.failure
            }
            password = line
        }
        defer { for index in password.indices { password[index] = 0 } }
        guard !password.isEmpty else {
            Self.writeError("hash-password: the password is empty\n")
            throw ExitCode.failure
        }
        do {
            print(try PasswordHasher.hash(password, scheme: scheme, rounds: rounds))
        } catch {
            Self.writeError("hash-password: \(error)\n")
            throw ExitCode.failure
        }
    }

    /// Reads one line from the terminal on fd 0 with echo off; the prompt goes to stderr.
    static func readHidden(prompt: String) -> [UInt8]? {
        Self.writeError(prompt)
        var saved = termios()
        guard tcgetattr(0, &saved) == 0 else { return readLine(fd: 0) }
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        quiet.c_lflag |= tcflag_t(ECHONL)
        _ = tcsetattr(0, TCSAFLUSH, &quiet)
        defer { _ = tcsetattr(0, TCSAFLUSH, &saved) }
        return readLine(fd: 0)
    }

    /// One line (without its LF or CRLF) read a byte at a time, so nothing after it is consumed;
    /// nil at EOF before any byte or when the line is too long.
    static func readLine(fd: Int32) -> [UInt8]? {
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let count = read(fd, &byte, 1)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return line.isEmpty ? nil : line }
            if byte == 0x0A { break }
            line.append(byte)
            if line.count > maxPasswordLength { return nil }
        }
        if line.last == 0x0D { line.removeLast() }
        return line
    }
}

extension HashPasswordCommand {
    /// Writes to standard error unbuffered (prompts must appear before the read).
    static func writeError(_ text: String) {
        var bytes = Array(text.utf8)
        bytes.withUnsafeMutableBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = write(2, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 && errno == EINTR { continue }
                if written <= 0 { return }
                offset += written
            }
        }
    }
}
