import Glibc

// Small helpers shared by the wrappers in this target: every system call that can be interrupted by a
// signal is retried on EINTR here, so no caller ever sees a spurious failure from a signal it ignores.

enum SystemCall {
    /// Runs `body` until it returns something other than -1 with errno EINTR.
    /// Returns the result (which may still be -1 with another errno set).
    @inline(__always)
    static func retryingEINTR<T: FixedWidthInteger>(_ body: () -> T) -> T {
        while true {
            let result = body()
            if result == -1 && errno == EINTR { continue }
            return result
        }
    }

    /// `poll()` on one descriptor, retried on EINTR with the remaining time recomputed from the monotonic
    /// clock, so a stream of signals cannot stretch a timeout. Returns the `revents` bits, or 0 on timeout.
    static func pollOne(
        _ fd: Int32,
        events: Int16,
        timeoutMilliseconds: Int?,
        operation: String
    ) throws(SystemError) -> Int16 {
        let deadline = timeoutMilliseconds.map { Clock.monotonicMilliseconds() &+ UInt64(max(0, $0)) }
        while true {
            var remaining: Int32 = -1
            if let deadline {
                let now = Clock.monotonicMilliseconds()
                let left = deadline > now ? deadline - now : 0
                remaining = Int32(clamping: left)
            }
            var entry = pollfd(fd: fd, events: events, revents: 0)
            let result = poll(&entry, 1, remaining)
            if result == -1 {
                let code = errno
                if code == EINTR { continue }
                throw SystemError(operation: operation, errno: code)
            }
            if result == 0 { return 0 }
            if entry.revents & Int16(POLLNVAL) != 0 {
                throw SystemError(operation: operation, errno: EBADF)
            }
            return entry.revents
        }
    }
}
