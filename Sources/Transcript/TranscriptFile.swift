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
    public var isRecording: Bool { file != nil }

    let logger: Logger
    /// The file, or nil once recording stopped.
    private var file: FileSystemFile?
    /// The directory, kept open for the rename and the unlink; nil when there is none (tests).
    private var directory: DirectoryHandle?
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
        file: FileSystemFile, directory: DirectoryHandle?, directoryPath: String, stem: String, users: [String],
        maxLiteral: Int,
        maxSize: UInt64 = 0, logger: Logger
    ) {
        self.maxSize = maxSize
        self.file = file
        self.directory = directory
        self.directoryPath = directoryPath
        self.stem = stem
        self.name = stem + ".transcript"
        self.users = users
        self.transcriber = Transcriber(maxLiteral: maxLiteral)
        self.logger = logger
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
        guard let directory else { return }
        let newName = stem + "-" + TranscriptFile.safeFileNamePart(user) + ".transcript"
        do {
            try directory.rename(name, to: newName)
            name = newName
        } catch {
            logger.log(
                .debug,
                "transcript \(directoryPath)/\(name): cannot rename to \(newName): \(ErrnoText.describe(error.errno))")
        }
        // The directory's last use (it was opened as root): the user the process is about to become keeps no
        // handle on it.
        closeDirectory()
    }

    private func closeDirectory() {
        directory = nil
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
        file = nil
        closeDirectory()
    }

    // MARK: - Internals

    /// Drops the transcript: unlinked, or (when the directory no longer permits it) emptied.
    private func discard() {
        discarded = true
        if (try? directory?.unlink(name)) == nil {
            try? file?.truncate()
        }
        file = nil
        closeDirectory()
    }

    private func write(_ entries: [Entry]) {
        for entry in entries {
            guard isRecording else { return }
            let record = TranscriptRecord(
                timeOfDay: TranscriptFile.timeOfDay(), source: entry.source, literalLength: entry.literalLength,
                text: entry.text)
            writeLine(Array((record.rendered + "\n").utf8))
        }
    }

    /// One write(2) per record: with O_APPEND a record is never split by a kill -9 between records.
    private func writeLine(_ bytes: [UInt8]) {
        guard let file else { return }
        if maxSize > 0 && size + UInt64(bytes.count) > maxSize {
            stop(because: "rawlog_max_size (\(maxSize) bytes) reached", level: .warning)
            return
        }
        size += UInt64(bytes.count)
        do {
            try file.write(bytes)
        } catch {
            stop(because: "write failed: \(ErrnoText.describe(error.errno))")
        }
    }

    /// Logs once and stops recording; the session is not affected.
    private func stop(because reason: String, level: LogLevel = .error) {
        logger.log(level, "transcript \(directoryPath)/\(name): \(reason); transcript stopped")
        // A last try to say so in the file itself (a short line may still fit where a long one did not).
        let note = TranscriptRecord(
            timeOfDay: TranscriptFile.timeOfDay(), source: .event, text: "transcript stopped: \(reason)")
        try? file?.write(Array((note.rendered + "\n").utf8))
        file = nil
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
