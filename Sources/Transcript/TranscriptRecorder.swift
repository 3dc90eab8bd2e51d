import Glibc
import Posix

/// Opens session transcripts (`rawlog_dir`, `rawlog_users`, `rawlog_peers`, `rawlog_max_literal`,
/// `rawlog_max_size`).
public enum TranscriptRecorder {
    /// Creates this session's transcript file in `directory`, mode 0600, refusing symlinks and existing
    /// files (O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC), and records the session start. Call it as root,
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
        let directoryFD = SystemCallRetry.open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0)
        guard directoryFD >= 0 else {
            let code = errno
            logger.log(.error, "rawlog_dir \(directory): \(ErrnoText.describe(code)); no transcript for this session")
            return nil
        }
        let now = Clock.wallClockMilliseconds()
        let stem = "\(Clock.compactTimestamp(milliseconds: now))-pid\(pid)"
        let fd = SystemCallRetry.openat(
            directoryFD, stem + ".transcript",
            O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY,
            0o600)
        guard fd >= 0 else {
            let code = errno
            _ = close(directoryFD)
            logger.log(
                .error,
                "rawlog_dir \(directory): cannot create \(stem).transcript: \(ErrnoText.describe(code)); "
                    + "no transcript for this session")
            return nil
        }
        let file = TranscriptFile(
            fd: fd, directoryFD: directoryFD, directoryPath: directory, stem: stem, users: users,
            maxLiteral: maxLiteral, maxSize: maxSize, logger: logger)
        file.recordEvent("session start \(Clock.iso8601(milliseconds: now)) pid=\(pid) peer=\(peer)")
        return file
    }
}

/// EINTR-retrying open calls; descriptors are moved above 2 so that fd 0–2 stay protocol-only.
enum SystemCallRetry {
    static func open(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 {
        aboveStandard(retrying { Glibc.open(path, flags, mode) })
    }

    static func openat(_ directory: Int32, _ name: String, _ flags: Int32, _ mode: mode_t) -> Int32 {
        aboveStandard(retrying { Glibc.openat(directory, name, flags, mode) })
    }

    private static func retrying(_ body: () -> Int32) -> Int32 {
        while true {
            let result = body()
            if result == -1 && errno == EINTR { continue }
            return result
        }
    }

    private static func aboveStandard(_ fd: Int32) -> Int32 {
        guard fd >= 0 && fd <= 2 else { return fd }
        let moved = fcntl(fd, F_DUPFD_CLOEXEC, Int32(3))
        let code = errno
        _ = close(fd)
        errno = code
        return moved
    }
}
