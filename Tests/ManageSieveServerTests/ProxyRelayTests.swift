import Auth
import Foundation
import Posix
import Testing
import Transcript

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
        guard
            case .data = try? transport.read(
                into: &buffer, maxCount: 4096, timeoutMilliseconds: deadline.remainingMilliseconds)
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
        var support = ProxySupport(startTLS: nil)
        var dialed: [String] = []
        support.connect = { address, port, _ throws(SystemError) in
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
        var support = ProxySupport(startTLS: nil)
        support.connect = { _, _, _ throws(SystemError) in serverBackendEnd }
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

    @Test("transcript: the client side up to the login, relay start and end with counts, no relayed payload")
    func transcript() throws {
        let directory = NSTemporaryDirectory() + "proxy-transcript-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (clientEnd, serverClientEnd) = socketPair()
        let (backendEnd, serverBackendEnd) = socketPair()
        defer { for fd in [clientEnd, backendEnd] { close(fd) } }
        let logger = Logger(destination: .discard)
        let file = try #require(
            TranscriptRecorder.open(directory: directory, peer: "local", pid: 7, maxLiteral: 100, logger: logger))
        var settings = ServerSettings()
        settings.authFailureDelayMilliseconds = 0
        let connection = Connection(
            transport: TranscriptTransport(
                wrapping: FDTransport(input: serverClientEnd, output: serverClientEnd), file: file),
            session: Session(settings: settings, backend: ProxyingBackend(proxyPasswd)),
            logger: logger, timeouts: ConnectionTimeouts(), upgradeToTLS: nil)
        var steps: [String] = []
        var support = ProxySupport(
            startTLS: nil,
            checkPrivileges: {
                steps.append("check")
                return nil
            },
            dropPrivileges: { steps.append("drop as \(file.user ?? "-")") })
        support.connect = { _, _, _ throws(SystemError) in
            steps.append("connect")
            return serverBackendEnd
        }
        connection.proxySupport = support
        let runner = ConnectionRunner(connection)
        _ = readUntil(clientEnd, "OK\r\n")
        send(backendEnd, "\"SASL\" \"PLAIN\"\r\nOK\r\nOK\r\n")
        send(clientEnd, "AUTHENTICATE \"PLAIN\" \"\(plain("alice", "secret"))\"\r\n")
        #expect(readUntil(clientEnd, "OK\r\n") == "OK\r\n")
        _ = readUntil(backendEnd, "\r\n")
        send(clientEnd, "GETSCRIPT \"private-payload\"\r\n")
        #expect(readUntil(backendEnd, "\r\n") == "GETSCRIPT \"private-payload\"\r\n")
        send(backendEnd, "{7}\r\nsecret!\r\nOK\r\n")
        #expect(readUntil(clientEnd, "OK\r\n") == "{7}\r\nsecret!\r\nOK\r\n")
        shutdown(clientEnd, Int32(SHUT_WR))
        send(backendEnd, "BYE\r\n")
        shutdown(backendEnd, Int32(SHUT_WR))
        #expect(runner.wait() != nil)
        // Privileges are dropped before the backend is reached. (The server names the transcript after the user
        // earlier, from LocalBackend.onUserVerified while still privileged; this test's backend does not.)
        #expect(steps == ["check", "drop as -", "connect"])
        let text = try String(contentsOfFile: directory + "/" + file.name, encoding: .utf8)
        #expect(text.contains("relay start: backend=10.0.0.2:14190 tls=no"))
        #expect(text.range(of: #"relay end: in=\d+ out=\d+"#, options: .regularExpression) != nil)
        #expect(text.contains("login user=alice"))
        #expect(!text.contains("private-payload") && !text.contains("secret!"))
        #expect(!text.contains("c2VjcmV0"))  // the password's base64 is redacted too
    }

    @Test("a process that cannot take its relay identity refuses before connecting")
    func privilegesRefused() throws {
        let (clientEnd, serverClientEnd) = socketPair()
        defer { close(clientEnd) }
        var settings = ServerSettings()
        settings.authFailureDelayMilliseconds = 0
        let connection = Connection(
            transport: FDTransport(input: serverClientEnd, output: serverClientEnd),
            session: Session(settings: settings, backend: ProxyingBackend(proxyPasswd)),
            logger: Logger(destination: .discard), timeouts: ConnectionTimeouts(), upgradeToTLS: nil)
        var connected = false
        var support = ProxySupport(startTLS: nil, checkPrivileges: { "proxy_user is not set" })
        support.connect = { _, _, _ throws(SystemError) in
            connected = true
            return -1
        }
        connection.proxySupport = support
        let runner = ConnectionRunner(connection)
        _ = readUntil(clientEnd, "OK\r\n")
        send(clientEnd, "AUTHENTICATE \"PLAIN\" \"\(plain("alice", "secret"))\"\r\nLOGOUT\r\n")
        #expect(
            readUntil(clientEnd, "OK\r\n") == "NO (TRYLATER) \"Backend server unavailable, try again later.\"\r\nOK\r\n"
        )
        #expect(runner.wait() == "logout")
        #expect(!connected)
    }

    /// A connection whose proxy support records the order of the privileged and the network steps.
    func recordingConnection(
        _ serverClientEnd: Int32, steps: Box<[String]>, local: (host: String, port: UInt16)? = nil
    ) -> Connection {
        var settings = ServerSettings()
        settings.authFailureDelayMilliseconds = 0
        let connection = Connection(
            transport: FDTransport(input: serverClientEnd, output: serverClientEnd),
            session: Session(settings: settings, backend: ProxyingBackend(proxyPasswd)),
            logger: Logger(destination: .discard), timeouts: ConnectionTimeouts(), upgradeToTLS: nil)
        var support = ProxySupport(
            startTLS: nil, checkPrivileges: { nil }, dropPrivileges: { steps.value.append("drop") })
        support.prepareTLS = {
            steps.value.append("prepare TLS")
            return nil
        }
        support.connect = { _, _, _ throws(SystemError) in
            steps.value.append("connect")
            throw SystemError(operation: "connect", errno: ECONNREFUSED)
        }
        support.localEndpoint = { local }
        connection.proxySupport = support
        return connection
    }

    @Test("the backend is reached only after the drop to the relay identity; TLS is prepared before it")
    func dropBeforeConnect() throws {
        for (user, expected) in [("alice", ["drop", "connect"]), ("tlsuser", ["prepare TLS", "drop", "connect"])] {
            let (clientEnd, serverClientEnd) = socketPair()
            defer { close(clientEnd) }
            let steps = Box<[String]>([])
            let runner = ConnectionRunner(recordingConnection(serverClientEnd, steps: steps))
            _ = readUntil(clientEnd, "OK\r\n")
            send(clientEnd, "AUTHENTICATE \"PLAIN\" \"\(plain(user, "secret"))\"\r\nLOGOUT\r\n")
            #expect(readUntil(clientEnd, "OK\r\n").hasPrefix("NO (TRYLATER)"))
            #expect(runner.wait() == "logout")
            #expect(steps.value == expected, "\(user)")
        }
    }

    @Test("a backend at this server's own address and port is refused without connecting (proxy loop)")
    func ownAddressRefused() throws {
        let (clientEnd, serverClientEnd) = socketPair()
        defer { close(clientEnd) }
        let steps = Box<[String]>([])
        let runner = ConnectionRunner(
            recordingConnection(serverClientEnd, steps: steps, local: (host: "10.0.0.2", port: 14190)))
        _ = readUntil(clientEnd, "OK\r\n")
        send(clientEnd, "AUTHENTICATE \"PLAIN\" \"\(plain("alice", "secret"))\"\r\nLOGOUT\r\n")
        #expect(readUntil(clientEnd, "OK\r\n") == "NO (TRYLATER) \"Proxy loop detected, try again later.\"\r\nOK\r\n")
        #expect(runner.wait() == "logout")
        #expect(steps.value.isEmpty)
    }
}

/// A mutable value the closures of a test share.
final class Box<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}
