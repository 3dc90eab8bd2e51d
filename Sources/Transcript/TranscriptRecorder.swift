import Posix

/// Opens session transcripts (`rawlog_dir`, `rawlog_users`, `rawlog_peers`, `rawlog_max_literal`,
/// `rawlog_max_size`).
public enum TranscriptRecorder {
    /// Creates this session's transcript file in `directory`, mode 0600, refusing symlinks and existing
    /// files (`DirectoryHandle.createExclusive`, appending), and records the session start. Call it as root,
    /// before the privilege drop. Returns nil — after logging why, for a real failure — when the peer
    /// does not match `peers` (no file is made) or the file cannot be created; the session then runs
    /// without a transcript.
    ///
    /// The name is `YYYYMMDDTHHMMSS.mmmZ-pidN.transcript` (UTC), so `ls` sorts by time; it becomes
    /// `…-pidN-USER.transcript` once the user is known.
    public static func open(
        directory: String, peer: String, pid: Int32, maxLiteral: Int, maxSize: UInt64 = 0, users: [String] = [],
        peers: [String] = [], logger: Logger
    ) -> TranscriptFile? {
        guard PeerFilter(peers).matches(peer) else { return nil }
        let directoryHandle: DirectoryHandle
        do {
            directoryHandle = try DirectoryHandle(path: directory)
        } catch {
            logger.log(
                .error, "rawlog_dir \(directory): \(ErrnoText.describe(error.errno)); no transcript for this session")
            return nil
        }
        let now = Clock.wallClockMilliseconds()
        let stem = "\(Clock.compactTimestamp(milliseconds: now))-pid\(pid)"
        let output: FileSystemFile
        do {
            output = try directoryHandle.createExclusive(stem + ".transcript", mode: 0o600, appending: true)
        } catch {
            logger.log(
                .error,
                "rawlog_dir \(directory): cannot create \(stem).transcript: \(ErrnoText.describe(error.errno)); "
                    + "no transcript for this session")
            return nil
        }
        let file = TranscriptFile(
            file: output, directory: directoryHandle, directoryPath: directory, stem: stem, users: users,
            maxLiteral: maxLiteral, maxSize: maxSize, logger: logger)
        file.recordEvent("session start \(Clock.iso8601(milliseconds: now)) pid=\(pid) peer=\(peer)")
        return file
    }
}
