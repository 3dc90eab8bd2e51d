// The checkpassword interface (qmail's, as Dovecot's checkpassword passdb uses it): the program reads
// "user\0password\0timestamp\0" on fd 3; on success it runs the reply program given as its arguments, which
// hands the user's environment back; exit 1 means a wrong password, 111 a temporary failure.
// Here the reply program is this server itself (`managesieved --checkpassword-reply`), writing the
// environment it was given as `key=value\0` pairs on fd 4.
internal import CLinux
import Glibc

/// What the program said.
public enum CheckpasswordOutcome: Equatable, Sendable {
    /// Exit 0: the password is right; the reply program's environment (`userdb_uid`, `HOME`, …).
    case accepted([String: String])
    /// Exit 1: wrong password or unknown user.
    case rejected
    /// Exit 111, another status, a signal, a timeout, or a program that could not run: try later.
    case temporaryFailure(String)
}

public enum Checkpassword {
    /// The most a reply may hand back, and the most of the program's stderr that is logged.
    static let maxReply = 64 * 1024
    static let maxStderr = 8 * 1024

    /// Runs `program` (its path and own arguments) with `reply` (the reply program and its arguments) appended,
    /// as the current user (normally root before the privilege drop), with only `environment` (`TCPREMOTEIP`,
    /// `SERVICE`) and a fixed PATH, fds 0/1 on /dev/null, its stderr to `logger`, no other inherited
    /// descriptor, in its own process group that a timeout kills whole.
    public static func run(
        program: [String], reply replyProgram: [String], user: String, password: [UInt8],
        environment extra: [String: String], timeoutMilliseconds: Int, logger: Logger
    ) -> CheckpasswordOutcome {
        guard let path = program.first, path.hasPrefix("/") else {
            return .temporaryFailure("checkpassword must be an absolute path")
        }
        var auth: [Int32] = [-1, -1]
        var reply: [Int32] = [-1, -1]
        var errors: [Int32] = [-1, -1]
        guard pipe2(&auth, O_CLOEXEC) == 0 else { return .temporaryFailure("pipe: \(ErrnoText.describe(errno))") }
        defer { closeAll(auth) }
        guard pipe2(&reply, O_CLOEXEC) == 0 else { return .temporaryFailure("pipe: \(ErrnoText.describe(errno))") }
        defer { closeAll(reply) }
        guard pipe2(&errors, O_CLOEXEC) == 0 else {
            return .temporaryFailure("pipe: \(ErrnoText.describe(errno))")
        }
        defer { closeAll(errors) }

        var environment = ["PATH=/usr/local/bin:/usr/bin:/bin"]
        for (key, value) in extra.sorted(by: { $0.key < $1.key }) {
            environment.append("\(key)=\(value)")
        }
        let pid: pid_t
        do {
            pid = try Spawn.start(
                path, arguments: program + replyProgram, environment: environment,
                files: [
                    .null(O_RDONLY), .null(O_WRONLY), .descriptor(errors[1]), .descriptor(auth[0]),
                    .descriptor(reply[1]),
                ], ownProcessGroup: true)
        } catch {
            return .temporaryFailure("cannot run \(path): \(ErrnoText.describe(error.errno))")
        }
        closeOne(&auth[0])
        closeOne(&reply[1])
        closeOne(&errors[1])

        let deadline = Deadline.after(milliseconds: timeoutMilliseconds)
        // user NUL password NUL timestamp NUL; the pipe holds it whole, so the write cannot block.
        var input = Array(user.utf8) + [0] + password + [0]
        input += Array(String(Clock.wallClockMilliseconds() / 1000).utf8) + [0]
        // A program that exits without reading must not take this process with it through SIGPIPE.
        let previous = signal(SIGPIPE, SIG_IGN)
        _ = input.withUnsafeBytes { write(auth[1], $0.baseAddress, $0.count) }
        signal(SIGPIPE, previous)
        for index in input.indices { input[index] = 0 }
        closeOne(&auth[1])

        var replyBytes: [UInt8] = []
        var stderrBytes: [UInt8] = []
        var open = [reply[0], errors[0]]
        var timedOut = false
        while open.contains(where: { $0 >= 0 }) {
            let remaining = deadline.remainingMilliseconds
            if remaining <= 0 {
                timedOut = true
                break
            }
            var fds = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), Int32(min(remaining, Int(Int32.max))))
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { continue }
            for (index, entry) in fds.enumerated() where entry.fd >= 0 && entry.revents != 0 {
                var chunk = [UInt8](repeating: 0, count: 4096)
                let count = SystemCall.retryingEINTR {
                    chunk.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                }
                if count <= 0 {
                    open[index] = -1
                    continue
                }
                if index == 0 {
                    if replyBytes.count < maxReply { replyBytes += chunk[..<count] }
                } else if stderrBytes.count < maxStderr {
                    stderrBytes += chunk[..<count]
                }
            }
        }
        var status: Int32 = 0
        while !timedOut {
            let done = waitpid(pid, &status, WNOHANG)
            if done == pid { break }
            if done < 0 && errno != EINTR { break }
            if deadline.remainingMilliseconds <= 0 {
                timedOut = true
                break
            }
            Clock.sleep(milliseconds: 5)
        }
        if timedOut, pid > 0 {
            kill(-pid, SIGKILL)
            kill(pid, SIGKILL)
            _ = waitpid(pid, &status, 0)
        }
        for line in stderrBytes.split(separator: 0x0A) where !line.isEmpty {
            logger.log(.warning, "checkpassword: \(String(decoding: line, as: UTF8.self))")
        }
        if timedOut {
            return .temporaryFailure("\(path) did not finish within \(timeoutMilliseconds) ms (killed)")
        }
        // WIFEXITED / WEXITSTATUS / WTERMSIG, spelled out (they are macros).
        let signal = status & 0x7F
        guard signal == 0 else { return .temporaryFailure("\(path) was killed by signal \(signal)") }
        switch (status >> 8) & 0xFF {
        case 0:
            return .accepted(parseReply(replyBytes))
        case 1:
            return .rejected
        case 111:
            return .temporaryFailure("\(path) reported a temporary failure (exit 111)")
        case let code:
            return .temporaryFailure("\(path) exited with status \(code)")
        }
    }

    /// `key=value\0` pairs; malformed pieces are skipped.
    public static func parseReply(_ bytes: [UInt8]) -> [String: String] {
        var result: [String: String] = [:]
        for piece in bytes.split(separator: 0) {
            guard let equals = piece.firstIndex(of: UInt8(ascii: "=")),
                let key = String(validating: piece[..<equals], as: UTF8.self),
                let value = String(validating: piece[(equals + 1)...], as: UTF8.self), !key.isEmpty
            else { continue }
            result[key] = value
        }
        return result
    }

    /// The reply program's side: writes the checkpassword program's hand-over to fd 4 and exits (0, or 111
    /// when fd 4 cannot take it). `USER`, `HOME` and every `userdb_*` variable are passed, plus those `EXTRA`
    /// names (Dovecot's convention); the uid and gid the program switched to stand for `userdb_uid` and
    /// `userdb_gid` when it did not set them (not when it left us running as root).
    public static func replyAndExit() -> Never {
        var pairs: [String: String] = [:]
        var extra: [String] = []
        if let value = ProcessControl.environment("EXTRA") {
            extra = value.split(separator: " ").map(String.init)
        }
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            pointer += 1
            guard let equals = text.firstIndex(of: "=") else { continue }
            let key = String(text[..<equals])
            if key == "USER" || key == "HOME" || key.hasPrefix("userdb_") || extra.contains(key) {
                pairs[key] = String(text[text.index(after: equals)...])
            }
        }
        if pairs["userdb_uid"] == nil, getuid() != 0 { pairs["userdb_uid"] = String(getuid()) }
        if pairs["userdb_gid"] == nil, getgid() != 0 { pairs["userdb_gid"] = String(getgid()) }
        var bytes: [UInt8] = []
        for (key, value) in pairs.sorted(by: { $0.key < $1.key }) where !value.utf8.contains(0) {
            bytes += Array("\(key)=\(value)".utf8) + [0]
        }
        var offset = 0
        while offset < bytes.count {
            let written = SystemCall.retryingEINTR {
                bytes.withUnsafeBytes { write(4, $0.baseAddress! + offset, $0.count - offset) }
            }
            guard written > 0 else { ProcessControl.exit(111) }
            offset += written
        }
        ProcessControl.exit(0)
    }

    /// This process's executable (the reply program), from /proc/self/exe.
    public static func executablePath() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return "/usr/local/sbin/managesieved" }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private static func closeAll(_ fds: [Int32]) {
        for fd in fds where fd >= 0 { close(fd) }
    }

    private static func closeOne(_ fd: inout Int32) {
        if fd >= 0 { close(fd) }
        fd = -1
    }
}
