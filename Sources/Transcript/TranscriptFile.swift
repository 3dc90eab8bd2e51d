import Glibc
import Posix

/// One session's transcript file: opened (as root, before the privilege drop) by
/// `TranscriptRecorder.open`, written one `write(2)` per record with O_APPEND as the session runs,
/// renamed to show the user once known, and deleted at the end when `rawlog_users` excludes the session.
///
/// Any write error (a full disk, EIO) is logged once; recording stops and the session goes on.
public final class TranscriptFile {
    /// The file's current name inside the directory.
    public private(set) var name: String
    /// The directory's path (for log messages).
    public let directoryPath: String
    /// The user whose session this turned out to be, once known.
    public private(set) var user: String?
    /// False once recording has stopped (write error, or the session was excluded by `rawlog_users`).
    public var isRecording: Bool { fd >= 0 }

    let logger: Logger
    /// The file, or -1 once recording stopped.
    private var fd: Int32
    /// The directory, kept open for renameat/unlinkat; -1 when there is none (tests).
    private var directoryFD: Int32
    /// The name without the `.transcript` suffix: `20261127T001500.123Z-pid12345`.
    let stem: String
    /// `rawlog_users`; empty: everyone.
    let users: [String]
    var transcriber: Transcriber
    /// `rawlog_max_size`: recording stops before a record would take the file past it; 0 = no cap.
    let maxSize: UInt64
    /// Bytes written so far.
    private(set) var size: UInt64 = 0
    private var finished = false
    private var discarded = false

    init(
        fd: Int32, directoryFD: Int32, directoryPath: String, stem: String, users: [String], maxLiteral: Int,
        maxSize: UInt64 = 0, logger: Logger
    ) {
        self.maxSize = maxSize
        self.fd = fd
        self.directoryFD = directoryFD
        self.directoryPath = directoryPath
        self.stem = stem
        self.name = stem + ".transcript"
        self.users = users
        self.transcriber = Transcriber(maxLiteral: maxLiteral)
        self.logger = logger
    }

    deinit {
        if fd >= 0 { _ = Glibc.close(fd) }
        if directoryFD >= 0 { _ = Glibc.close(directoryFD) }
    }

    // MARK: - Recording

    /// Octets of each literal kept (`rawlog_max_literal`).
    public var maxLiteral: Int { transcriber.maxLiteral }

    /// Records one piece of client input as the session's parser consumed it (credentials already withheld).
    public func recordClientInput(_ input: ClientInput) {
        guard isRecording else { return }
        write(transcriber.clientInput(input))
    }

    /// Records octets written to the client.
    public func recordServer(_ bytes: some Collection<UInt8>) {
        guard isRecording else { return }
        write(transcriber.serverBytes(bytes))
    }

    /// Records a free-form event line (`*: text`).
    public func recordEvent(_ text: String) {
        guard isRecording else { return }
        write(transcriber.note(.text(text)))
    }

    /// Records a session note; `.login` names the file after the user (see `userIdentified`), and
    /// `.disconnect` ends the transcript (see `finish`).
    public func note(_ event: TransportEvent) {
        switch event {
        case .tlsStarted(let description):
            // Nothing of the plaintext phase may shape what is recorded inside TLS.
            transcriber.reset()
            recordEvent("tls started \(description)")
        case .saslBegin(let mechanism):
            if isRecording { write(transcriber.note(.saslBegin(mechanism))) }
        case .saslEnd:
            if isRecording { write(transcriber.note(.saslEnd)) }
        case .login(let user):
            recordEvent("login user=\(user)")
            if self.user == nil { userIdentified(user) }
        case .disconnect(let reason):
            finish(reason: reason)
        case .other(let text):
            recordEvent(text)
        case .clientInput(let input):
            recordClientInput(input)
        }
    }

    /// The session has a verified user. Call it while still root (from the backend, just before the
    /// privilege drop): the file is renamed to `…-pidN-USER.transcript`, or deleted when `rawlog_users`
    /// does not list the user. Only the first call counts. After the drop the rename may fail for want of
    /// write permission on the directory; the transcript then keeps its name (the login event names the
    /// user) and this is logged at debug level.
    public func userIdentified(_ user: String) {
        guard self.user == nil, !discarded else { return }
        self.user = user
        if !users.isEmpty && !users.contains(user) {
            discard()
            return
        }
        guard directoryFD >= 0 else { return }
        let newName = stem + "-" + TranscriptFile.safeFileNamePart(user) + ".transcript"
        if renameat(directoryFD, name, directoryFD, newName) == 0 {
            name = newName
        } else {
            let code = errno
            logger.log(
                .debug, "transcript \(directoryPath)/\(name): cannot rename to \(newName): \(ErrnoText.describe(code))")
        }
        // The directory's last use (it was opened as root): the user the process is about to become keeps no
        // handle on it.
        closeDirectory()
    }

    private func closeDirectory() {
        if directoryFD >= 0 { _ = Glibc.close(directoryFD) }
        directoryFD = -1
    }

    /// Ends the transcript: records what a direction left unfinished and the disconnect reason, then
    /// deletes the file when `rawlog_users` is set and the session never logged in as a listed user.
    public func finish(reason: String) {
        guard !finished else { return }
        finished = true
        if isRecording {
            write(transcriber.finish())
            write(transcriber.note(.text("disconnect reason=\(reason)")))
        }
        if !users.isEmpty && user == nil { discard() }
        if fd >= 0 {
            _ = Glibc.close(fd)
            fd = -1
        }
        closeDirectory()
    }

    // MARK: - Internals

    /// Drops the transcript: unlinked, or (when the directory no longer permits it) emptied.
    private func discard() {
        discarded = true
        if directoryFD >= 0 && unlinkat(directoryFD, name, 0) == 0 {
            // gone
        } else if fd >= 0 {
            _ = ftruncate(fd, 0)
        }
        if fd >= 0 {
            _ = Glibc.close(fd)
            fd = -1
        }
        closeDirectory()
    }

    private func write(_ entries: [Entry]) {
        for entry in entries {
            guard fd >= 0 else { return }
            let record = TranscriptRecord(
                timeOfDay: TranscriptFile.timeOfDay(), source: entry.source, literalLength: entry.literalLength,
                text: entry.text)
            writeLine(Array((record.rendered + "\n").utf8))
        }
    }

    /// One write(2) per record: with O_APPEND a record is never split by a kill -9 between records.
    private func writeLine(_ bytes: [UInt8]) {
        if maxSize > 0 && size + UInt64(bytes.count) > maxSize {
            stop(because: "rawlog_max_size (\(maxSize) bytes) reached", level: .warning)
            return
        }
        size += UInt64(bytes.count)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
            }
            if written < 0 && errno == EINTR { continue }
            if written <= 0 {
                let code = written < 0 ? errno : ENOSPC
                stop(because: "write failed: \(ErrnoText.describe(code))")
                return
            }
            offset += written
        }
    }

    /// Logs once and stops recording; the session is not affected.
    private func stop(because reason: String, level: LogLevel = .error) {
        logger.log(level, "transcript \(directoryPath)/\(name): \(reason); transcript stopped")
        // A last try to say so in the file itself (a short line may still fit where a long one did not).
        let note = TranscriptRecord(
            timeOfDay: TranscriptFile.timeOfDay(), source: .event, text: "transcript stopped: \(reason)")
        let bytes = Array((note.rendered + "\n").utf8)
        _ = bytes.withUnsafeBytes { raw in Glibc.write(fd, raw.baseAddress!, raw.count) }
        _ = Glibc.close(fd)
        fd = -1
    }

    static func timeOfDay() -> Int {
        Int(Clock.wallClockMilliseconds() % 86_400_000)
    }

    /// A user name as it may appear in a file name: letters, digits and `._@+-`; anything else becomes
    /// `_`, and the part is cut at 64 octets.
    static func safeFileNamePart(_ user: String) -> String {
        var out = ""
        for scalar in user.unicodeScalars.prefix(64) {
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", ".", "_", "@", "+", "-": out.unicodeScalars.append(scalar)
            default: out += "_"
            }
        }
        if out.isEmpty || out.hasPrefix(".") { out = "_" + out }
        return out
    }
}
