import Foundation
import Glibc
import Testing

@testable import Posix

/// Signals that interrupt system calls (EINTR) must neither fail an operation nor shorten a timeout.
/// SIGUSR2 gets an empty handler without SA_RESTART and is sent to the testing thread itself.
@Suite("EINTR handling", .serialized)
struct SignalTests {
    init() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in }
        action.sa_flags = 0
        sigemptyset(&action.sa_mask)
        sigaction(SIGUSR2, &action, nil)
    }

    /// Sends SIGUSR2 to the calling thread `count` times, `intervalMicroseconds` apart, from another thread.
    private func pester(count: Int, intervalMicroseconds: UInt32) -> DispatchSemaphore {
        let target = pthread_self()
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            for _ in 0..<count {
                usleep(intervalMicroseconds)
                pthread_kill(target, SIGUSR2)
            }
            done.signal()
        }
        return done
    }

    @Test("a read timeout survives signals and still lasts its full length")
    func readTimeout() throws {
        let (r, w) = makePipe()
        defer { close(r); close(w) }
        let transport = FDTransport(input: r, output: w)
        var buffer: [UInt8] = []
        let start = Clock.monotonicMilliseconds()
        let done = pester(count: 5, intervalMicroseconds: 20_000)
        let result = try transport.read(into: &buffer, maxCount: 10, timeoutMilliseconds: 200)
        done.wait()
        #expect(result == .timeout)
        #expect(Clock.monotonicMilliseconds() - start >= 200)
    }

    @Test("a read waiting forever survives signals and returns the data")
    func readForever() throws {
        let (r, w) = makePipe()
        defer { close(r); close(w) }
        let transport = FDTransport(input: r, output: w)
        let done = pester(count: 4, intervalMicroseconds: 10_000)
        Thread.detachNewThread {
            usleep(80_000)
            _ = write(w, "ok", 2)
        }
        var buffer: [UInt8] = []
        #expect(try transport.read(into: &buffer, maxCount: 10, timeoutMilliseconds: nil) == .data(2))
        done.wait()
    }

    @Test("a blocking 1 MB write survives signals")
    func blockingWrite() throws {
        let (a, b) = makeSocketPair()
        defer { close(b) }
        let payload = [UInt8](repeating: 0x5a, count: 1 << 20)
        let reader = BackgroundReader(fd: b, chunkDelayMicroseconds: 100)
        let done = pester(count: 10, intervalMicroseconds: 5_000)
        try FDTransport(input: a, output: a).write(payload)
        done.wait()
        shutdown(a, Int32(SHUT_WR))
        #expect(reader.wait() == payload)
        close(a)
    }

    @Test("sleep resumes after signals")
    func sleep() {
        let start = Clock.monotonicMilliseconds()
        let done = pester(count: 5, intervalMicroseconds: 15_000)
        Clock.sleep(milliseconds: 150)
        #expect(Clock.monotonicMilliseconds() - start >= 150)
        done.wait()
    }
}
