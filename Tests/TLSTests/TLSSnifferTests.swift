import Glibc
import Posix
import TestSockets
import Testing

@testable import TLS

@Suite("TLSSniffer")
struct TLSSnifferTests {
    @Test("a ClientHello is recognised, is not consumed, and the handshake then succeeds")
    func clientHello() throws {
        let (server, client) = socketPair()
        defer { close(server); close(client) }
        let files = CertificateFiles.shared
        let context = try TLSServerContext(
            settings: TLSSettings(certificatePath: files.serverCertificate, keyPath: files.serverKey))
        let peer = TestClient(input: client, output: client)
        let thread = Background {
            guard peer.connect() else { return }
            peer.write("x")
        }
        #expect(TLSSniffer.clientSpeaksTLSFirst(fd: server, timeoutMilliseconds: 5000))
        let transport = context.makeTransport(input: server, output: server)
        try transport.handshake(timeoutMilliseconds: 5000)
        var buffer: [UInt8] = []
        #expect(try transport.read(into: &buffer, maxCount: 1, timeoutMilliseconds: 5000) == .data(1))
        thread.wait()
        #expect(peer.handshakeOK)
    }

    @Test("a silent client costs exactly the timeout", arguments: [0, 5, 20])
    func silent(timeout: Int) {
        let (server, client) = socketPair()
        defer { close(server); close(client) }
        let start = milliseconds()
        #expect(!TLSSniffer.clientSpeaksTLSFirst(fd: server, timeoutMilliseconds: timeout))
        let elapsed = milliseconds() - start
        #expect(elapsed >= Double(timeout) - 0.5 && elapsed < Double(timeout) + 200)
    }

    @Test("a plaintext command, a closed client and a pipe are not TLS")
    func notTLS() {
        let (server, client) = socketPair()
        let text = Array("CAPABILITY\r\n".utf8)
        _ = text.withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
        #expect(!TLSSniffer.clientSpeaksTLSFirst(fd: server, timeoutMilliseconds: 100))
        // Still there for the plaintext session.
        #expect(Socket.peek(server, maxCount: 100, timeoutMilliseconds: 0) == text)
        close(client)
        var drain = [UInt8](repeating: 0, count: 100)
        _ = read(server, &drain, 100)
        #expect(!TLSSniffer.clientSpeaksTLSFirst(fd: server, timeoutMilliseconds: 100))
        close(server)

        var fds: [Int32] = [0, 0]
        precondition(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        _ = [UInt8(0x16)].withUnsafeBytes { write(fds[1], $0.baseAddress, 1) }
        #expect(!TLSSniffer.clientSpeaksTLSFirst(fd: fds[0], timeoutMilliseconds: 0))
    }
}
