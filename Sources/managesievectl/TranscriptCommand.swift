import ArgumentParser
import Glibc
import Posix
import Transcript

/// `managesievectl transcript FILE`: shows a session transcript, or replays its client side against
/// a server and compares the answers. The format is described in docs/transcripts.md.
struct TranscriptCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transcript",
        abstract: "Show a session transcript (rawlog_dir), or replay its client side against a server.",
        discussion: """
            Without --replay/--replay-exec, prints the transcript with times relative to the session start \
            (colours on a terminal). With them, sends the recorded client commands one at a time, waits for \
            each answer, and prints the new answers beside the recorded ones, marking differences \
            ('-' recorded, '+' now). Redacted logins are replaced by a fresh PLAIN or LOGIN exchange as --user; \
            the password comes from --password-file FILE (its first line), the MANAGESIEVECTL_PASSWORD \
            environment variable, or a prompt on the terminal (no echo) — never from the command line, where \
            ps shows it. A session that used STARTTLS is replayed inside TLS too: the server's certificate is verified \
            against --tls-ca FILE (default: the system's CAs) and HOST (localhost for --replay-exec), unless \
            --tls-no-verify says explicitly not to. Exit status: 0 same answers, 1 different answers, 64 usage \
            errors (also a redacted login without --user or a password), 69 replay impossible (also a failed \
            TLS handshake).
            Example:
              managesievectl transcript session.log --replay mx.example.org:4190 --user alice \\
                --password-file ~/.alice-pw --tls-ca /etc/ssl/certs/ca.pem
            """
    )

    @Argument(help: "The transcript file.")
    var file: String

    @Flag(name: .customLong("no-color"), help: "No colours, even on a terminal.")
    var noColor = false

    @Option(name: .customLong("replay"), help: "Replay against HOST:PORT (TCP, plaintext).")
    var replayAddress: String?

    @Option(name: .customLong("replay-exec"), help: "Replay against COMMAND run by /bin/sh, over its stdin/stdout.")
    var replayCommand: String?

    @Option(help: "User for a redacted login.")
    var user: String?

    @Option(name: .customLong("password-file"), help: "A file whose first line is the password for a redacted login.")
    var passwordFile: String?

    /// Refused: kept only to say why and what to use instead.
    @Option(name: .customLong("password"), help: .hidden)
    var commandLinePassword: String?

    @Option(
        name: .customLong("tls-ca"), help: "CA certificates (PEM) to verify the server's certificate after STARTTLS.")
    var tlsCA: String?

    @Flag(name: .customLong("tls-no-verify"), help: "Do not verify the server's certificate after STARTTLS.")
    var tlsNoVerify = false

    @Option(help: "Seconds to wait for each server answer.")
    var timeout: Int = 10

    func validate() throws {
        if replayAddress != nil && replayCommand != nil {
            throw ValidationError("give only one of --replay and --replay-exec")
        }
        if commandLinePassword != nil {
            throw ValidationError(
                "--password is not accepted: a command line is visible to every user (ps); use --password-file "
                    + "FILE, the \(ReplayPassword.environmentVariable) environment variable, or the terminal prompt")
        }
        if tlsNoVerify && tlsCA != nil { throw ValidationError("give only one of --tls-ca and --tls-no-verify") }
    }

    func run() throws {
        guard let bytes = try? FileRead.readFile(path: file, maxSize: 1 << 32),
            let text = String(validating: bytes, as: UTF8.self)
        else {
            Output.error("transcript: cannot read \(file)\n")
            throw ExitStatus.failure
        }
        let records = text.split(separator: "\n", omittingEmptySubsequences: true).compactMap {
            TranscriptRecord.parse($0)
        }
        guard !records.isEmpty else {
            Output.error("transcript: \(file) holds no transcript records\n")
            throw ExitStatus.failure
        }
        let palette = Palette(enabled: !noColor && isatty(1) == 1)
        if replayAddress == nil && replayCommand == nil {
            show(records, palette: palette)
            return
        }
        ProcessControl.ignoreSIGPIPE()
        var replay = Replay(
            records: records, palette: palette, user: user, password: ReplayPassword(file: passwordFile),
            timeoutMilliseconds: timeout * 1000)
        replay.tls = ReplayTLS(caPath: tlsCA, verify: !tlsNoVerify)
        let channel: ReplayChannel
        do {
            if let replayAddress {
                channel = try ReplayChannel.connect(replayAddress)
            } else {
                channel = try ReplayChannel.spawn(replayCommand ?? "")
            }
        } catch {
            Output.error("transcript: \(error.message)\n")
            throw ExitStatus.unavailable
        }
        defer { channel.close() }
        do {
            let same = try replay.run(over: channel)
            if !same { throw ExitStatus.failure }
        } catch let error as ReplayError {
            Output.error("transcript: replay stopped: \(error.message)\n")
            throw error.isUsage ? ExitStatus.usage : ExitStatus.unavailable
        }
    }

    func show(_ records: [TranscriptRecord], palette: Palette) {
        let start = records[0].timeOfDay
        for record in records {
            let elapsed = (record.timeOfDay - start + 86_400_000) % 86_400_000
            let stamp = "+\(elapsed / 1000).\(String(1000 + elapsed % 1000).dropFirst())s"
            let line = "\(record.marker): \(record.text)"
            print(stamp.leftPadded(to: 9) + " " + palette.paint(line, for: record.source))
        }
    }
}
