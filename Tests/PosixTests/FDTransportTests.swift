import Glibc
import Testing

@testable import Posix

@Suite("FDTransport")
struct FDTransportTests {
    init() { ProcessControl.ignoreSIGPIPE() }

    @Test("appends what arrived to the caller's buffer and counts it")
    func readAppends() throws {
        let (r, w) = makePipe()
        defer { close(r); close(w) }
        let transport = FDTransport(input: r, output: w)
        try transport.write(Array("hello".utf8))
        var buffer: [UInt8] = Array("> ".utf8)
        let result = try transport.read(into: &buffer, maxCount: 100, timeoutMilliseconds: 1000)
        #expect(result == .data(5))
        #expect(buffer == Array("> hello".utf8))
        #expect(transport.bytesRead == 5)
        #expect(transport.bytesWritten == 5)
    }

    @Test("never appends more than maxCount octets")
    func readHonoursMaxCount() throws {
        let (r, w) = makePipe()
        defer { close(r); close(w) }
        let transport = FDTransport(input: r, output: w)
        try transport.write(Array("0123456789".utf8))
        var buffer: [UInt8] = []
        #expect(try transport.read(into: &buffer, maxCount: 4, timeoutMilliseconds: 1000) == .data(4))
        #expect(buffer == Array("0123".utf8))
        #expect(try transport.read(into: &buffer, maxCount: 100, timeoutMilliseconds: 1000) == .data(6))
        #expect(buffer == Array("0123456789".utf8))
    }

    @Test("returns timeout when nothing arrives in time, after at least the timeout")
    func readTimesOut() throws {
        let (r, w) = makePipe()
        defer { close(r); close(w) }
        let transport = FDTransport(input: r, output: w)
        var buffer: [UInt8] = [1, 2]
        let start = Clock.monotonicMilliseconds()
        #expect(try transport.read(into: &buffer, maxCount: 10, timeoutMilliseconds: 80) == .timeout)
        #expect(Clock.monotonicMilliseconds() - start >= 80)
        #expect(buffer == [1, 2])
    }

    @Test("a zero timeout polls without waiting")
    func zeroTimeout() throws {
        let (r, w) = makePipe()
        defer { close(r); close(w) }
        let transport = FDTransport(input: r, output: w)
        var buffer: [UInt8] = []
        #expect(try transport.read(into: &buffer, maxCount: 10, timeoutMilliseconds: 0) == .timeout)
        try transport.write([7])
        #expect(try transport.read(into: &buffer, maxCount: 10, timeoutMilliseconds: 0) == .data(1))
    }

    @Test("reports EOF when the writer closes, with and without a timeout")
    func readEOF() throws {
        let (r, w) = makePipe()
        defer { close(r) }
        _ = Glibc.write(w, "ab", 2)
        close(w)
        let transport = FDTransport(input: r, output: -1)
        var buffer: [UInt8] = []
        #expect(try transport.read(into: &buffer, maxCount: 10, timeoutMilliseconds: nil) == .data(2))
        #expect(try transport.read(into: &buffer, maxCount: 10, timeoutMilliseconds: nil) == .eof)
        #expect(try transport.read(into: &buffer, maxCount: 10, timeoutMilliseconds: 100) == .eof)
        #expect(buffer == Array("ab".utf8))
    }

    @Test("reports EOF on a socket whose peer closed")
    func socketEOF() throws {
        let (a, b) = makeSocketPair()
        defer { close(a) }
        close(b)
        let transport = FDTransport(input: a, output: a)
        var buffer: [UInt8] = []
        #expect(try transport.read(into: &buffer, maxCount: 10, timeoutMilliseconds: 1000) == .eof)
    }

    @Test("waits forever (nil timeout) until data arrives")
    func readWaitsForData() throws {
        let (a, b) = makeSocketPair()
        defer { close(a); close(b) }
        let pid = fork()
        if pid == 0 {
            usleep(50_000)
            _ = Glibc.write(b, "late", 4)
            _exit(0)
        }
        let transport = FDTransport(input: a, output: a)
        var buffer: [UInt8] = []
        let result = try transport.read(into: &buffer, maxCount: 10, timeoutMilliseconds: nil)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        #expect(result == .data(4))
        #expect(buffer == Array("late".utf8))
    }

    @Test("a non-blocking input with nothing to read still times out instead of failing with EAGAIN")
    func nonBlockingInput() throws {
        let (r, w) = makePipe()
        defer { close(r); close(w) }
        setNonBlocking(r)
        let transport = FDTransport(input: r, output: w)
        var buffer: [UInt8] = []
        #expect(try transport.read(into: &buffer, maxCount: 10, timeoutMilliseconds: 30) == .timeout)
    }

    @Test("writes 1 MB completely over a socket pair through partial writes", arguments: [false, true])
    func largeWrite(nonBlocking: Bool) throws {
        let (a, b) = makeSocketPair()
        defer { close(b) }
        if nonBlocking { setNonBlocking(a) }
        let payload = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) }
        let reader = BackgroundReader(fd: b, chunkDelayMicroseconds: 50)
        let transport = FDTransport(input: a, output: a)
        try transport.write(payload)
        #expect(transport.bytesWritten == UInt64(payload.count))
        shutdown(a, Int32(SHUT_WR))
        let received = reader.wait()
        close(a)
        #expect(received.count == payload.count)
        #expect(received == payload)
    }

    @Test("writing to a pipe without a reader throws EPIPE (SIGPIPE is ignored)")
    func writeEPIPE() {
        let (r, w) = makePipe()
        defer { close(w) }
        close(r)
        let transport = FDTransport(input: -1, output: w)
        #expect(throws: SystemError(operation: "write", errno: EPIPE)) { try transport.write([1, 2, 3]) }
    }

    @Test("a write that cannot make progress in time throws ETIMEDOUT")
    func writeTimeout() {
        let (r, w) = makePipe()
        defer { close(r); close(w) }
        setNonBlocking(w)
        let transport = FDTransport(input: r, output: w)
        transport.writeTimeoutMilliseconds = 50
        let start = Clock.monotonicMilliseconds()
        #expect(throws: SystemError(operation: "write", errno: ETIMEDOUT)) {
            try transport.write([UInt8](repeating: 0x41, count: 1 << 20))
        }
        #expect(Clock.monotonicMilliseconds() - start >= 50)
        #expect(transport.bytesWritten > 0)
    }

    @Test("boundWrites makes a blocking output non-blocking: a stalled peer times out, a reading one gets it all")
    func boundWritesOnBlockingPipe() throws {
        let (r, w) = makePipe()
        defer { close(r); close(w) }
        let transport = FDTransport(input: r, output: w)
        #expect(fcntl(w, F_SETFL, O_APPEND) == 0)
        let before = fcntl(w, F_GETFL)
        transport.boundWrites(timeoutMilliseconds: 50)
        #expect(before & O_NONBLOCK == 0 && before & O_APPEND != 0)
        #expect(fcntl(w, F_GETFL) == before | O_NONBLOCK, "O_NONBLOCK added, no other status flag changed")
        try transport.write(Array("greeting".utf8))
        var buffer: [UInt8] = []
        #expect(try transport.read(into: &buffer, maxCount: 100, timeoutMilliseconds: 100) == .data(8))
        let start = Clock.monotonicMilliseconds()
        #expect(throws: SystemError(operation: "write", errno: ETIMEDOUT)) {
            try transport.write([UInt8](repeating: 0x41, count: 1 << 20))
        }
        #expect(Clock.monotonicMilliseconds() - start >= 50)
        #expect(transport.bytesWritten > 8)
    }

    @Test("reading a closed descriptor throws a SystemError instead of crashing")
    func readBadDescriptor() {
        // A number far above anything open: a just-closed fd could be reused by a test running alongside.
        let transport = FDTransport(input: 99_999, output: 99_999)
        var buffer: [UInt8] = []
        #expect(throws: SystemError.self) { try transport.read(into: &buffer, maxCount: 10, timeoutMilliseconds: 10) }
        #expect(throws: SystemError(operation: "write", errno: EBADF)) { try transport.write([1]) }
    }

    @Test("default descriptors are stdin and stdout")
    func defaults() {
        let transport = FDTransport()
        #expect(transport.input == 0)
        #expect(transport.output == 1)
    }
}
