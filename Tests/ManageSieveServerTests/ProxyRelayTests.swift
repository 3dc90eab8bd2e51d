import Auth
import Foundation
import Posix
import Testing

@testable import ManageSieveServer

/// A connected pair of Unix stream sockets.
func socketPair() -> (Int32, Int32) {
    var fds: [Int32] = [0, 0]
    precondition(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
    return (fds[0], fds[1])
}

func readUntil(_ fd: Int32, _ marker: String, timeout: Int = 3000) -> String {
    let transport = FDTransport(input: fd, output: fd)
    var buffer: [UInt8] = []
    let deadline = Deadline.after(milliseconds: timeout)
    while !String(decoding: buffer, as: UTF8.self).contains(marker) && !deadline.hasPassed {
        guard case .data = try? transport.read(into: &buffer, maxCount: 4096, timeoutMilliseconds: deadline.remainingMilliseconds)
        else { break }
    }
    return String(decoding: buffer, as: UTF8.self)
}

/// Runs a connection on its own thread (it blocks in poll) while the test plays client and backend.
final class ConnectionRunner: @unchecked Sendable {
    let connection: Connection
    var reason: String?
    let done = DispatchSemaphore(value: 0)
    init(_ connection: Connection) {
        self.connection = connection
        Thread.detachNewThread { [self] in
            reason = self.connection.run()
            done.signal()
        }
    }
    func wait() -> String? {
        guard done.wait(timeout: .now() + 5) == .success else { return nil }
        return reason
    }
}

func send(_ fd: Int32, _ text: String) {
    try? FDTransport(input: fd, output: fd).write(Array(text.utf8))
}

@Suite("Connection: relaying to a backend over real sockets")
struct ProxyRelayTests {
    @Test("login at the backend, OK to the client, pipelined input forwarded, bytes relayed both ways")
    func relay() throws {
        let (clientEnd, serverClientEnd) = socketPair()
        let (backendEnd, serverBackendEnd) = socketPair()
        defer { for fd in [clientEnd, backendEnd] { close(fd) } }
        var settings = ServerSettings()
        settings.authFailureDelayMilliseconds = 0
        let connection = Connection(
            transport: FDTransport(input: serverClientEnd, output: serverClientEnd),
            session: Session(settings: settings, backend: ProxyingBackend(proxyPasswd)),
            logger: Logger(destination: .discard), timeouts: ConnectionTimeouts(), upgradeToTLS: nil)
        var support = ProxySupport(startTLS: nil) { nil }
        var dialed: [String] = []
        support.connect = { address, port, _ throws(IOError) in
            dialed.append("\(address):\(port)")
            return serverBackendEnd
        }
        connection.proxySupport = support
        let runner = ConnectionRunner(connection)

        _ = readUntil(clientEnd, "OK\r\n")
        // AUTHENTICATE with a pipelined command right behind it.
        send(clientEnd, "AUTHENTICATE \"PLAIN\" \"\(plain("alice", "secret"))\"\r\nLISTSCRIPTS\r\n")
        send(backendEnd, "\"SASL\" \"PLAIN\"\r\nOK\r\n")
        let auth = readUntil(backendEnd, "\r\n")
        #expect(auth == "AUTHENTICATE \"PLAIN\" \"\(plain("alice", "secret"))\"\r\n")
        send(backendEnd, "OK\r\n")
        #expect(readUntil(clientEnd, "OK\r\n") == "OK\r\n")
        #expect(readUntil(backendEnd, "LISTSCRIPTS\r\n") == "LISTSCRIPTS\r\n")
        send(backendEnd, "\"s\" ACTIVE\r\nOK\r\n")
        #expect(readUntil(clientEnd, "OK\r\n") == "\"s\" ACTIVE\r\nOK\r\n")
        send(clientEnd, "LOGOUT\r\n")
        #expect(readUntil(backendEnd, "LOGOUT\r\n") == "LOGOUT\r\n")
        send(backendEnd, "OK\r\n")
        #expect(readUntil(clientEnd, "OK\r\n") == "OK\r\n")
        shutdown(backendEnd, Int32(SHUT_WR))
        let reason = runner.wait()
        #expect(reason == "relay: backend disconnected")
        #expect(dialed == ["10.0.0.2:14190"])
    }

    @Test("a backend that refuses: NO (TRYLATER), then the client logs in locally on the same connection")
    func refusedThenLocal() throws {
        let (clientEnd, serverClientEnd) = socketPair()
        let (backendEnd, serverBackendEnd) = socketPair()
        defer { for fd in [clientEnd, backendEnd] { close(fd) } }
        var settings = ServerSettings()
        settings.authFailureDelayMilliseconds = 0
        let connection = Connection(
            transport: FDTransport(input: serverClientEnd, output: serverClientEnd),
            session: Session(settings: settings, backend: ProxyingBackend(proxyPasswd)),
            logger: Logger(destination: .discard), timeouts: ConnectionTimeouts(), upgradeToTLS: nil)
        var support = ProxySupport(startTLS: nil) { nil }
        support.connect = { _, _, _ throws(IOError) in serverBackendEnd }
        connection.proxySupport = support
        let runner = ConnectionRunner(connection)
        _ = readUntil(clientEnd, "OK\r\n")
        send(backendEnd, "\"SASL\" \"PLAIN\"\r\nOK\r\nNO \"db3 on fire\"\r\n")
        send(clientEnd, "AUTHENTICATE \"PLAIN\" \"\(plain("alice", "secret"))\"\r\n")
        let answer = readUntil(clientEnd, "\r\n")
        #expect(answer == "NO (TRYLATER) \"Backend server refused the login, try again later.\"\r\n")
        send(clientEnd, "AUTHENTICATE \"PLAIN\" \"\(plain("dave", "pw"))\"\r\nLOGOUT\r\n")
        #expect(readUntil(clientEnd, "OK\r\nOK\r\n") == "OK\r\nOK\r\n")
        #expect(runner.wait() == "logout")
    }
}
