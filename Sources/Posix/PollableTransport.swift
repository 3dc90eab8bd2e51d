import Glibc

/// A `Transport` whose input can be waited for with poll(2) alongside another one: the login proxy relays
/// between the client and the backend with one poll over both descriptors.
public protocol PollableTransport: Transport {
    /// The descriptor to poll for input.
    var readableDescriptor: Int32 { get }
    /// Input already received and decrypted but not yet read (TLS's SSL_pending): poll would not show it.
    var hasBufferedInput: Bool { get }
}

extension FDTransport: PollableTransport {
    public var readableDescriptor: Int32 { input }
    public var hasBufferedInput: Bool { false }
}

/// poll(2) over several descriptors at once (the relay's two sides).
public enum MultiPoll {
    /// Waits up to `timeoutMilliseconds` (nil: forever) until one of `fds` has input, a hang-up or an error
    /// (the next read reports which). Returns one flag per descriptor; all false on timeout.
    public static func waitReadable(_ fds: [Int32], timeoutMilliseconds: Int?) throws(SystemError) -> [Bool] {
        let deadline = timeoutMilliseconds.map { Clock.monotonicMilliseconds() &+ UInt64(max(0, $0)) }
        var entries = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        while true {
            var remaining: Int32 = -1
            if let deadline {
                let now = Clock.monotonicMilliseconds()
                remaining = Int32(clamping: deadline > now ? deadline - now : 0)
            }
            let result = poll(&entries, nfds_t(entries.count), remaining)
            if result == -1 {
                let code = errno
                if code == EINTR { continue }
                throw SystemError(operation: "poll", errno: code)
            }
            return entries.map { $0.revents != 0 }
        }
    }
}
