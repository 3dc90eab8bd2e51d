import Glibc

/// A `Transport` over plain file descriptors: fd 0 in and fd 1 out under inetd or socat, or any pair
/// of pipe or socket descriptors in tests.
///
/// Reads wait in `poll()` so that timeouts (idle, slow-drip, login) work on blocking descriptors too.
/// Writes loop until every octet is out; a descriptor in non-blocking mode is waited for with `poll()`
/// on EAGAIN. The process ignores SIGPIPE (`ProcessControl.ignoreSIGPIPE()`), so a peer that went away
/// shows up as an `SystemError` with EPIPE rather than killing the process.
public final class FDTransport: Transport {
    /// The descriptor read from.
    public let input: Int32
    /// The descriptor written to.
    public let output: Int32
    /// How long a `write` may wait each time for the peer to make room, in milliseconds; nil waits forever.
    /// When set on a blocking `output`, every `write()` is preceded by a `poll()` for POLLOUT, which bounds it
    /// only partly: a blocking `write()` may still sleep in the kernel once `poll()` reported some room.
    public var writeTimeoutMilliseconds: Int?
    /// Set by `boundWrites` once `output` is non-blocking: a `write()` then cannot sleep, so it is tried
    /// first and `poll()` is only called on EAGAIN (no system call spent before every response).
    private var outputNonBlocking = false
    /// Octets read so far (for the session summary line).
    public private(set) var bytesRead: UInt64 = 0
    /// Octets written so far (for the session summary line).
    public private(set) var bytesWritten: UInt64 = 0

    /// The most one `read` appends, whatever `maxCount` asks for.
    static let largestRead = 1 << 20

    public init(input: Int32 = 0, output: Int32 = 1) {
        self.input = input
        self.output = output
    }

    /// Waits up to `timeoutMilliseconds` (nil: forever) for input, then appends at most `maxCount` octets.
    public func read(
        into buffer: inout [UInt8], maxCount: Int, timeoutMilliseconds: Int?
    ) throws(SystemError)
        -> ReadResult
    {
        precondition(maxCount > 0, "FDTransport.read needs room for at least one octet")
        // A short read is always allowed; the cap keeps a careless maxCount from allocating without bound.
        let maxCount = min(maxCount, FDTransport.largestRead)
        let deadline = timeoutMilliseconds.map { Clock.monotonicMilliseconds() &+ UInt64(max(0, $0)) }
        while true {
            var remaining: Int? = nil
            if let deadline {
                let now = Clock.monotonicMilliseconds()
                remaining = deadline > now ? Int(deadline - now) : 0
            }
            let ready = try SystemCall.pollOne(
                input, events: Int16(POLLIN), timeoutMilliseconds: remaining, operation: "poll")
            if ready == 0 { return .timeout }
            // POLLIN, POLLHUP or POLLERR: read() now tells us which (data, 0 for EOF, or the error).
            switch try readAvailable(into: &buffer, maxCount: maxCount) {
            case .some(let count):
                return count == 0 ? .eof : .data(count)
            case .none:
                continue  // EAGAIN on a non-blocking descriptor after a spurious wake-up: wait again.
            }
        }
    }

    /// One `read()` into scratch space, then only the octets that arrived are appended. Returns nil on EAGAIN.
    /// Reading straight into the buffer's tail would first zero-fill `maxCount` octets of it: 64 KiB touched,
    /// and kept resident for the whole session, for every 20-octet command.
    private func readAvailable(into buffer: inout [UInt8], maxCount: Int) throws(SystemError) -> Int? {
        let (result, code) = withUnsafeTemporaryAllocation(byteCount: maxCount, alignment: 1) { scratch in
            let count = SystemCall.retryingEINTR { Glibc.read(input, scratch.baseAddress!, maxCount) }
            let code = errno
            if count > 0 { buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[..<count])) }
            return (count, code)
        }
        if result < 0 {
            if code == EAGAIN || code == EWOULDBLOCK { return nil }
            throw SystemError(operation: "read", errno: code)
        }
        bytesRead &+= UInt64(result)
        return result
    }

    /// Bounds every write: `output` becomes non-blocking (so a `write()` never sleeps in the kernel) and a
    /// write that makes no progress for `timeoutMilliseconds` fails with ETIMEDOUT. A client that sends
    /// commands but stops reading the answers then ends its session instead of holding the process for ever.
    public func boundWrites(timeoutMilliseconds: Int) {
        // FIONBIO sets O_NONBLOCK alone, leaving the other status flags as they are: one system call where
        // fcntl needs two (F_GETFL, then F_SETFL with the flags read), before every greeting.
        var on: Int32 = 1
        outputNonBlocking = ioctl(output, UInt(FIONBIO), &on) == 0
        writeTimeoutMilliseconds = timeoutMilliseconds
    }

    /// Writes all of `bytes`, retrying after EINTR and partial writes, and waiting in `poll()` on EAGAIN.
    public func write(_ bytes: [UInt8]) throws(SystemError) {
        var offset = 0
        while offset < bytes.count {
            if writeTimeoutMilliseconds != nil && !outputNonBlocking { try waitUntilWritable() }
            let result = bytes.withUnsafeBytes { raw in
                SystemCall.retryingEINTR { Glibc.write(output, raw.baseAddress! + offset, bytes.count - offset) }
            }
            if result < 0 {
                let code = errno
                guard code == EAGAIN || code == EWOULDBLOCK else {
                    throw SystemError(operation: "write", errno: code)
                }
                try waitUntilWritable()
                continue
            }
            offset += result
            bytesWritten &+= UInt64(result)
        }
    }

    /// Waits for room in `output` (POLLOUT, or POLLERR/POLLHUP, which the next `write()` turns into
    /// an error), at most `writeTimeoutMilliseconds`.
    private func waitUntilWritable() throws(SystemError) {
        let ready = try SystemCall.pollOne(
            output, events: Int16(POLLOUT), timeoutMilliseconds: writeTimeoutMilliseconds, operation: "poll")
        if ready == 0 { throw SystemError(operation: "write", errno: ETIMEDOUT) }
    }
}
