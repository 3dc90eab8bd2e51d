import Glibc

/// Process-wide plumbing for a one-connection server started by inetd or socat.
public enum ProcessControl {
    /// Ignores SIGPIPE, so writing to a peer that has gone away fails with EPIPE (an `SystemError` the
    /// Connection handles and logs) instead of killing the process without a log line.
    public static func ignoreSIGPIPE() {
        _ = signal(SIGPIPE, SIG_IGN)
    }

    /// Points fd 2 at /dev/null. Under inetd, stderr may be the client's socket, and anything a library
    /// prints there would corrupt the protocol stream; serve mode calls this before anything else runs.
    /// Returns false when /dev/null cannot be opened or duplicated (the caller may then refuse to serve).
    @discardableResult
    public static func redirectStandardErrorToDevNull() -> Bool {
        let fd = SystemCall.retryingEINTR { open("/dev/null", O_WRONLY | O_CLOEXEC | O_NOCTTY) }
        guard fd >= 0 else { return false }
        if fd == 2 {
            // fd 2 was closed and open() reused it: just keep it across exec like a normal stderr.
            _ = fcntl(2, F_SETFD, 0)
            return true
        }
        // dup2 clears FD_CLOEXEC on the new descriptor, as stderr should be.
        let result = SystemCall.retryingEINTR { dup2(fd, 2) }
        _ = close(fd)
        return result == 2
    }

    /// This process's id.
    public static var pid: Int32 { getpid() }

    /// Ends the process at once with `code`, like `_exit(2)`: no atexit handlers, no stdio flushing.
    /// Nothing in the server writes through stdio buffers, and under inetd fd 1 is the client's socket,
    /// so nothing may be flushed there by surprise.
    public static func exit(_ code: Int32) -> Never {
        _exit(code)
    }

    /// The environment variable `name`, or nil when unset.
    public static func environment(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        return String(cString: value)
    }

    /// True when a process with this id exists, even one we may not signal (EPERM): kill(pid, 0)
    /// fails with ESRCH only when there is none. Used to tell a stale lock or temp file from a live one.
    public static func processIsAlive(pid: Int32) -> Bool {
        guard pid > 0 else { return false }
        if kill(pid, 0) == 0 { return true }
        return errno != ESRCH
    }

    /// A printable description of the client for log lines: the numeric peer address of `fd` when it
    /// is an inet socket (inetd, systemd), else socat's SOCAT_PEERADDR (with SOCAT_PEERPORT), else
    /// REMOTE_HOST; nil when none is known (e.g. a local pipe in tests).
    public static func connectionPeer(fd: Int32 = 0) -> String? {
        if let address = Socket.peerAddress(fd) { return address }
        if let address = environment("SOCAT_PEERADDR"), !address.isEmpty {
            let port = environment("SOCAT_PEERPORT") ?? ""
            guard !port.isEmpty else { return address }
            return address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)"
        }
        if let host = environment("REMOTE_HOST"), !host.isEmpty { return host }
        return nil
    }
}
