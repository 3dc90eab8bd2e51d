import Glibc
import Posix

/// Where a replay's password comes from. Never the command line: every local user sees a process's arguments
/// in `ps` and /proc/PID/cmdline. In order: `--password-file FILE` (its first line), the environment variable
/// `MANAGESIEVECTL_PASSWORD`, or a prompt on the terminal (/dev/tty, without echo). Asked only when the
/// transcript has a login to replay, and once.
struct ReplayPassword {
    static let environmentVariable = "MANAGESIEVECTL_PASSWORD"

    let file: String?
    private var cached: String?

    init(file: String?) { self.file = file }

    mutating func get(user: String) throws(ReplayError) -> String {
        if let cached { return cached }
        let password = try read(user: user)
        cached = password
        return password
    }

    private func read(user: String) throws(ReplayError) -> String {
        if let file {
            let bytes: [UInt8]
            do {
                bytes = try FileRead.readFile(path: file, maxSize: 64 << 10)
            } catch {
                throw ReplayError(message: "--password-file \(file): \(error)", isUsage: true)
            }
            // The first line; a password file written by `echo` ends with a newline that is not part of it.
            let line = bytes.split(separator: 0x0A, maxSplits: 1, omittingEmptySubsequences: false).first ?? []
            return String(decoding: line.last == 0x0D ? line.dropLast() : line[...], as: UTF8.self)
        }
        if let value = ProcessControl.environment(Self.environmentVariable) { return value }
        if let typed = Self.prompt("Password for \(user): ") { return typed }
        throw ReplayError(
            message:
                "the transcript logs in: give the password with --password-file FILE, the \(Self.environmentVariable) "
                + "environment variable, or run on a terminal to be asked",
            isUsage: true)
    }

    /// Reads one line from the controlling terminal with echo off; nil without a terminal.
    static func prompt(_ text: String) -> String? {
        let fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var saved = termios()
        guard tcgetattr(fd, &saved) == 0 else { return nil }
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        quiet.c_lflag |= tcflag_t(ECHONL)
        guard tcsetattr(fd, TCSAFLUSH, &quiet) == 0 else { return nil }
        defer { _ = tcsetattr(fd, TCSAFLUSH, &saved) }
        _ = text.withCString { write(fd, $0, strlen($0)) }
        var line: [UInt8] = []
        var byte: UInt8 = 0
        while line.count < 64 << 10 {
            let count = Glibc.read(fd, &byte, 1)
            if count < 0 && errno == EINTR { continue }
            guard count == 1, byte != 0x0A else { break }
            line.append(byte)
        }
        if line.last == 0x0D { line.removeLast() }
        return String(decoding: line, as: UTF8.self)
    }
}
