import Glibc

/// Waiting on one descriptor with a deadline, and its O_NONBLOCK flag: what non-blocking I/O outside this target
/// (TLS over the client's descriptors) needs, so that those system calls stay here.
public enum DescriptorWait {
    /// Milliseconds on the monotonic clock.
    public static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    /// Waits with poll(2) for `events` on `fd` until `end` (`now()` milliseconds; nil waits for ever), retrying
    /// EINTR with the time left, so signals cannot stretch the wait. True when the descriptor is ready or poll
    /// failed otherwise (an error or hang-up: the next call on the descriptor reports it); false when the
    /// deadline passed first.
    public static func wait(_ fd: Int32, events: Int16, until end: Int64?) -> Bool {
        var entry = pollfd(fd: fd, events: events, revents: 0)
        while true {
            var timeout: Int32 = -1
            if let end { timeout = Int32(clamping: max(0, end - now())) }
            let result = poll(&entry, 1, timeout)
            if result > 0 { return true }
            if result == 0 { return false }
            if errno != EINTR { return true }
        }
    }

    /// Sets O_NONBLOCK on `fd`; returns the flags it had when it was blocking (for `restoreFlags`), else nil.
    public static func setNonBlocking(_ fd: Int32) -> Int32? {
        let flags = fcntl(fd, F_GETFL)
        guard flags >= 0 && flags & O_NONBLOCK == 0 else { return nil }
        _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
        return flags
    }

    /// Puts back the flags `setNonBlocking` returned.
    public static func restoreFlags(_ fd: Int32, _ flags: Int32) {
        _ = fcntl(fd, F_SETFL, flags)
    }
}
