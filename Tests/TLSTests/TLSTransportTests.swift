import COpenSSL
import Glibc
import Posix
import TestSockets
import Testing

@testable import TLS

@Suite("TLSTransport")
struct TLSTransportTests {
    let files = CertificateFiles.shared

    func makeContext(
        cipherList: String? = nil, verifyClient: Bool = false, usernameField: String = "commonName"
    ) throws -> TLSServerContext {
        try TLSServerContext(
            settings: TLSSettings(
                certificatePath: files.serverCertificate, keyPath: files.serverKey,
                caPath: verifyClient ? files.caCertificate : nil, cipherList: cipherList,
                verifyClientCertificate: verifyClient, certUsernameField: usernameField))
    }

    @Test("handshake over a socketpair, then data both ways and a clean close_notify")
    func socketpairRoundTrip() throws {
        let (server, client) = socketPair()
        defer { close(server); close(client) }
        let context = try makeContext()
        let peer = TestClient(input: client, output: client)
        let thread = Background {
            guard peer.connect() else { return }
            peer.write("CAPABILITY\r\n")
            _ = peer.read(count: 4)
            peer.shutdown()
        }
        let transport = context.makeTransport(input: server, output: server)
        try transport.handshake(timeoutMilliseconds: 5000)
        #expect(transport.protocolVersion == "TLSv1.3")
        #expect(transport.cipherName.hasPrefix("TLS_"))
        var buffer: [UInt8] = []
        while buffer.count < 12 {
            let result = try transport.read(into: &buffer, maxCount: 100, timeoutMilliseconds: 5000)
            #expect(result != .timeout && result != .eof)
            if result == .timeout || result == .eof { break }
        }
        #expect(String(decoding: buffer, as: UTF8.self) == "CAPABILITY\r\n")
        try transport.write(Array("OK\r\n".utf8))
        #expect(try transport.read(into: &buffer, maxCount: 100, timeoutMilliseconds: 5000) == .eof)
        thread.wait()
        #expect(peer.handshakeOK)
    }

    @Test("an RSA certificate with its PKCS#8 key: a handshake signed with that key succeeds")
    func rsaHandshake() throws {
        let (server, client) = socketPair()
        defer { close(server); close(client) }
        let context = try TLSServerContext(
            settings: TLSSettings(certificatePath: files.rsaCertificate, keyPath: files.rsaPKCS8Key))
        let peer = TestClient(input: client, output: client)
        let thread = Background {
            guard peer.connect() else { return }
            peer.write("NOOP\r\n")
            peer.shutdown()
        }
        let transport = context.makeTransport(input: server, output: server)
        try transport.handshake(timeoutMilliseconds: 5000)
        var buffer: [UInt8] = []
        while buffer.count < 6 {
            let result = try transport.read(into: &buffer, maxCount: 100, timeoutMilliseconds: 5000)
            if result == .timeout || result == .eof { break }
        }
        thread.wait()
        #expect(peer.handshakeOK)
        #expect(String(decoding: buffer, as: UTF8.self) == "NOOP\r\n")
    }

    @Test("works over two pipes (separate input and output fds) and blocking fds get their flags back")
    func pipes() throws {
        var toServer: [Int32] = [0, 0]
        var toClient: [Int32] = [0, 0]
        precondition(pipe(&toServer) == 0 && pipe(&toClient) == 0)
        defer { for fd in toServer + toClient { close(fd) } }
        let context = try makeContext()
        let peer = TestClient(input: toClient[0], output: toServer[1])
        let thread = Background {
            guard peer.connect() else { return }
            peer.write("NOOP\r\n")
            _ = peer.read(count: 2)
        }
        do {
            let transport = context.makeTransport(input: toServer[0], output: toClient[1])
            try transport.handshake(timeoutMilliseconds: 5000)
            var buffer: [UInt8] = []
            while buffer.count < 6 {
                guard case .data = try transport.read(into: &buffer, maxCount: 6, timeoutMilliseconds: 5000) else {
                    break
                }
            }
            #expect(buffer == Array("NOOP\r\n".utf8))
            try transport.write(Array("OK".utf8))
            thread.wait()
            #expect(fcntl(toServer[0], F_GETFL) & O_NONBLOCK != 0)
        }
        #expect(fcntl(toServer[0], F_GETFL) & O_NONBLOCK == 0)
        #expect(fcntl(toClient[1], F_GETFL) & O_NONBLOCK == 0)
    }

    @Test("read honours its timeout and serves already decrypted bytes without waiting")
    func readTimeoutAndPending() throws {
        let (server, client) = socketPair()
        defer { close(server); close(client) }
        let context = try makeContext()
        let peer = TestClient(input: client, output: client)
        let thread = Background {
            guard peer.connect() else { return }
            peer.write("abcdef")
            _ = peer.read(count: 1)
        }
        let transport = context.makeTransport(input: server, output: server)
        try transport.handshake(timeoutMilliseconds: 5000)
        var buffer: [UInt8] = []
        #expect(try transport.read(into: &buffer, maxCount: 3, timeoutMilliseconds: 5000) == .data(3))
        // The rest of the record is already inside OpenSSL; a zero timeout must still return it.
        #expect(try transport.read(into: &buffer, maxCount: 10, timeoutMilliseconds: 0) == .data(3))
        #expect(buffer == Array("abcdef".utf8))
        let start = milliseconds()
        #expect(try transport.read(into: &buffer, maxCount: 10, timeoutMilliseconds: 50) == .timeout)
        let elapsed = milliseconds() - start
        #expect(elapsed >= 45 && elapsed < 1000)
        #expect(buffer == Array("abcdef".utf8))
        try transport.write([0x2a])
        thread.wait()
    }

    @Test("a peer that closes without close_notify reads as EOF")
    func abruptClose() throws {
        let (server, client) = socketPair()
        defer { close(server) }
        let context = try makeContext()
        let peer = TestClient(input: client, output: client)
        let thread = Background {
            guard peer.connect() else { return }
            Glibc.shutdown(client, Int32(SHUT_RDWR))
        }
        let transport = context.makeTransport(input: server, output: server)
        try transport.handshake(timeoutMilliseconds: 5000)
        thread.wait()
        var buffer: [UInt8] = []
        #expect(try transport.read(into: &buffer, maxCount: 10, timeoutMilliseconds: 5000) == .eof)
        close(client)
    }

    @Test("shutdown sends a close_notify the client sees as a clean end")
    func closeNotify() throws {
        let (server, client) = socketPair()
        defer { close(server); close(client) }
        let context = try makeContext()
        let peer = TestClient(input: client, output: client)
        let clean = Flag()
        let thread = Background {
            guard peer.connect() else { return }
            clean.set(peer.readsCleanEOF())
        }
        let transport = context.makeTransport(input: server, output: server)
        try transport.handshake(timeoutMilliseconds: 5000)
        transport.shutdown()
        thread.wait()
        #expect(clean.value)
    }

    @Test("ssl_ca completes the chain of a leaf-only ssl_cert file", arguments: [false, true])
    func chainFromCA(withCA: Bool) throws {
        let (server, client) = socketPair()
        defer { close(server); close(client) }
        let context = try TLSServerContext(
            settings: TLSSettings(
                certificatePath: files.chainedCertificate, keyPath: files.chainedKey,
                caPath: withCA ? files.caCertificate : nil))
        let peer = TestClient(input: client, output: client)
        let length = Box<Int>()
        let thread = Background {
            guard peer.connect() else { return }
            length.set(peer.peerChainLength())
            _ = peer.read(count: 1)
        }
        let transport = context.makeTransport(input: server, output: server)
        try transport.handshake(timeoutMilliseconds: 5000)
        try transport.write([0x2a])
        thread.wait()
        #expect(length.value == (withCA ? 2 : 1))
    }

    @Test("a transport on a TCP socket turns Nagle off")
    func noDelay() throws {
        let (listener, server, client) = try #require(tcpPair(family: AF_INET))
        defer { close(listener); close(server); close(client) }
        var value: Int32 = 0
        var length = socklen_t(4)
        getsockopt(server, Int32(IPPROTO_TCP), TCP_NODELAY, &value, &length)
        #expect(value == 0)
        let transport = try makeContext().makeTransport(input: server, output: server)
        getsockopt(server, Int32(IPPROTO_TCP), TCP_NODELAY, &value, &length)
        #expect(value != 0)
        _ = transport
    }

    @Test("a silent client makes the handshake time out on time")
    func handshakeTimeout() throws {
        let (server, client) = socketPair()
        defer { close(server); close(client) }
        let transport = try makeContext().makeTransport(input: server, output: server)
        let start = milliseconds()
        #expect(throws: TLSError.timeout) { try transport.handshake(timeoutMilliseconds: 100) }
        let elapsed = milliseconds() - start
        #expect(elapsed >= 95 && elapsed < 2000)
    }

    @Test("a client that drops in the middle of the handshake ends it with .closed")
    func dropMidHandshake() throws {
        let (server, client) = socketPair()
        defer { close(server) }
        // The first five octets of a ClientHello record header, then nothing.
        let partial: [UInt8] = [0x16, 0x03, 0x01, 0x02, 0x00, 0x01]
        _ = partial.withUnsafeBytes { Glibc.write(client, $0.baseAddress, $0.count) }
        close(client)
        let transport = try makeContext().makeTransport(input: server, output: server)
        #expect(throws: TLSError.closed) { try transport.handshake(timeoutMilliseconds: 5000) }
    }

    @Test("a client that drops after its ClientHello ends the handshake with .closed")
    func dropAfterClientHello() throws {
        let (server, client) = socketPair()
        defer { close(server) }
        let context = try makeContext()
        let peer = TestClient(input: client, output: client)
        let thread = Background {
            // Send the ClientHello (the handshake stalls waiting for us), then hang up.
            Glibc.shutdown(client, Int32(SHUT_RD))
            _ = peer.connect()
        }
        // Let the ClientHello arrive, then close the client's socket under it.
        #expect(Socket.peek(server, maxCount: 1, timeoutMilliseconds: 5000) == [0x16])
        Glibc.shutdown(client, Int32(SHUT_WR))
        let transport = context.makeTransport(input: server, output: server)
        do {
            try transport.handshake(timeoutMilliseconds: 5000)
            Issue.record("handshake succeeded with a half-closed client")
        } catch {
            #expect(error == .closed || error.description.hasPrefix("TLS handshake failed"))
        }
        thread.wait()
        close(client)
    }

    @Test("plaintext instead of a ClientHello fails with OpenSSL's reason")
    func plaintextClient() throws {
        let (server, client) = socketPair()
        defer { close(server); close(client) }
        let text = Array("AUTHENTICATE \"PLAIN\"\r\n".utf8)
        _ = text.withUnsafeBytes { Glibc.write(client, $0.baseAddress, $0.count) }
        let transport = try makeContext().makeTransport(input: server, output: server)
        do {
            try transport.handshake(timeoutMilliseconds: 5000)
            Issue.record("handshake succeeded on plaintext")
        } catch {
            guard case .handshakeFailed(let reason) = error else { Issue.record("\(error)"); return }
            #expect(!reason.isEmpty && reason != "unknown OpenSSL error")
        }
    }

    @Test("tls-exporter and tls-server-end-point are equal on both ends")
    func channelBinding() throws {
        let (server, client) = socketPair()
        defer { close(server); close(client) }
        let context = try makeContext()
        let peer = TestClient(input: client, output: client)
        let values = Box<([UInt8], [UInt8])>()
        let thread = Background {
            guard peer.connect() else { return }
            values.set((peer.exporter(), peer.serverCertificateSHA256()))
            _ = peer.read(count: 1)
        }
        let transport = context.makeTransport(input: server, output: server)
        #expect(transport.channelBinding(.tlsExporter) == nil)  // nothing before the handshake
        try transport.handshake(timeoutMilliseconds: 5000)
        try transport.write([0x2a])
        thread.wait()
        let exporter = transport.channelBinding(.tlsExporter)
        let endPoint = transport.channelBinding(.tlsServerEndPoint)
        #expect(exporter?.count == 32)
        #expect(endPoint?.count == 32)
        #expect(exporter == values.value?.0)
        #expect(endPoint == values.value?.1)
        #expect(ChannelBindingKind(rawValue: "tls-exporter") == .tlsExporter)
    }

    @Test("tls-server-end-point is undefined for an Ed25519 certificate (no separate hash)")
    func endPointEd25519() throws {
        let (server, client) = socketPair()
        defer { close(server); close(client) }
        let context = try TLSServerContext(
            settings: TLSSettings(
                certificatePath: files.ed25519Certificate, keyPath: files.ed25519Key))
        let peer = TestClient(input: client, output: client)
        let thread = Background {
            guard peer.connect() else { return }
            _ = peer.read(count: 1)
        }
        let transport = context.makeTransport(input: server, output: server)
        try transport.handshake(timeoutMilliseconds: 5000)
        try transport.write([0x2a])
        thread.wait()
        #expect(transport.channelBinding(.tlsServerEndPoint) == nil)
        #expect(transport.channelBinding(.tlsExporter)?.count == 32)
    }

    @Test("a client that stops reading makes write time out; a vanished one makes it fail with EPIPE")
    func writeFailures() throws {
        let (server, client) = socketPair()
        defer { close(server) }
        let context = try makeContext()
        let peer = TestClient(input: client, output: client)
        let thread = Background { peer.connect() }
        let transport = context.makeTransport(input: server, output: server)
        try transport.handshake(timeoutMilliseconds: 5000)
        thread.wait()
        transport.writeTimeoutMilliseconds = 50
        let big = [UInt8](repeating: 0x61, count: 8 << 20)
        #expect(throws: SystemError(operation: "TLS write", errno: ETIMEDOUT)) { try transport.write(big) }
        close(client)
        do {
            try transport.write(big)
            Issue.record("wrote to a closed peer")
        } catch {
            #expect(error.errno == EPIPE || error.errno == ECONNRESET)
        }
    }

    @Test("TLS 1.3: the first write follows the server's flight before the client's Finished is read (0.5-RTT)")
    func halfRoundTrip() throws {
        // client -> fromClient -> (this test) -> toServer -> server -> toClient -> client
        var toServer: [Int32] = [0, 0]
        var fromClient: [Int32] = [0, 0]
        var toClient: [Int32] = [0, 0]
        precondition(pipe(&toServer) == 0 && pipe(&fromClient) == 0 && pipe(&toClient) == 0)
        defer { for fd in toServer + fromClient + toClient { close(fd) } }
        let context = try makeContext()
        let peer = TestClient(input: toClient[0], output: fromClient[1])
        let answer = Box<String>()
        let client = Background {
            guard peer.connect() else { return }
            answer.set(peer.read(count: 4))
        }
        // Only the ClientHello goes through now; the client's second flight (its Finished) is held back until
        // the client has read the answer, so a server that waited for it would never write that answer.
        copy(record(from: fromClient[0]), to: toServer[1])
        let (held, serverInput) = (fromClient[0], toServer[1])
        let relay = Background {
            client.wait()
            var rest = [UInt8](repeating: 0, count: 4096)
            _ = fcntl(held, F_SETFL, O_NONBLOCK)
            let n = Glibc.read(held, &rest, rest.count)
            self.copy(Array(rest.prefix(max(n, 0))), to: serverInput)
        }
        let transport = context.makeTransport(input: toServer[0], output: toClient[1])
        try transport.handshake(timeoutMilliseconds: 5000)
        #expect(transport.awaitingPeerFinished)
        #expect(transport.channelBinding(.tlsExporter)?.count == 32)  // TLS 1.3 has it from the server's Finished
        try transport.write(Array("OK\r\n".utf8))  // returns once the held-back Finished has been read
        #expect(!transport.awaitingPeerFinished)
        relay.wait()
        #expect(peer.handshakeOK)
        #expect(answer.value == "OK\r\n")
    }

    /// One TLS record read from a blocking fd.
    func record(from fd: Int32) -> [UInt8] {
        func read(_ count: Int) -> [UInt8] {
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: count)
            while bytes.count < count {
                let n = Glibc.read(fd, &buffer, count - bytes.count)
                if n <= 0 { break }
                bytes += buffer.prefix(n)
            }
            return bytes
        }
        let header = read(5)
        guard header.count == 5 else { return header }
        return header + read(Int(header[3]) << 8 | Int(header[4]))
    }

    func copy(_ bytes: [UInt8], to fd: Int32) {
        _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    }

    @Test("TLS 1.2 with extended master secret still offers tls-exporter")
    func tls12() throws {
        let (server, client) = socketPair()
        defer { close(server); close(client) }
        let context = try makeContext()
        let peer = TestClient(input: client, output: client, maxVersion: TLS1_2_VERSION)
        let values = Box<[UInt8]>()
        let thread = Background {
            guard peer.connect() else { return }
            values.set(peer.exporter())
            _ = peer.read(count: 1)
        }
        let transport = context.makeTransport(input: server, output: server)
        try transport.handshake(timeoutMilliseconds: 5000)
        #expect(!transport.awaitingPeerFinished)  // no 0.5-RTT data before TLS 1.3
        try transport.write([0x2a])
        thread.wait()
        #expect(transport.protocolVersion == "TLSv1.2")
        #expect(transport.channelBinding(.tlsExporter) == values.value)
    }

    @Test("the minimum protocol is enforced")
    func minimumProtocol() throws {
        let (server, client) = socketPair()
        defer { close(server); close(client) }
        let context = try TLSServerContext(
            settings: TLSSettings(
                certificatePath: files.serverCertificate, keyPath: files.serverKey, minProtocol: "TLSv1.3"))
        let peer = TestClient(input: client, output: client, maxVersion: TLS1_2_VERSION)
        let thread = Background { peer.connect() }
        let transport = context.makeTransport(input: server, output: server)
        #expect(throws: TLSError.self) { try transport.handshake(timeoutMilliseconds: 5000) }
        thread.wait()
        #expect(!peer.handshakeOK)
    }

    @Test("a verified client certificate names the user; the field is configurable")
    func clientCertificate() throws {
        for (field, expected) in [("commonName", "alice"), ("emailAddress", "alice@example.org"), ("CN", "alice")] {
            let (server, client) = socketPair()
            defer { close(server); close(client) }
            let context = try makeContext(verifyClient: true, usernameField: field)
            let peer = TestClient(
                input: client, output: client, certificate: files.clientCertificate, key: files.clientKey)
            let thread = Background {
                guard peer.connect() else { return }
                _ = peer.read(count: 1)
            }
            let transport = context.makeTransport(input: server, output: server)
            try transport.handshake(timeoutMilliseconds: 5000)
            // The certificate can change the answer (EXTERNAL): the whole handshake runs before it.
            #expect(!transport.awaitingPeerFinished)
            try transport.write([0x2a])
            thread.wait()
            #expect(transport.peerCertificateUsername == expected)
        }
    }

    @Test("no user from a client certificate the CA did not sign, nor without one")
    func untrustedClientCertificate() throws {
        for withCertificate in [true, false] {
            let (server, client) = socketPair()
            defer { close(server); close(client) }
            let context = try makeContext(verifyClient: true)
            let peer = TestClient(
                input: client, output: client,
                certificate: withCertificate ? files.strangerCertificate : nil,
                key: withCertificate ? files.strangerKey : nil)
            let thread = Background {
                guard peer.connect() else { return }
                _ = peer.read(count: 1)
            }
            let transport = context.makeTransport(input: server, output: server)
            // The handshake still succeeds (a password login remains possible), but EXTERNAL gets no name.
            try transport.handshake(timeoutMilliseconds: 5000)
            try transport.write([0x2a])
            thread.wait()
            #expect(transport.peerCertificateUsername == nil)
        }
    }
}

/// A value set on the client thread and read after `wait()`.
final class Box<Value>: @unchecked Sendable {
    private let lock = NSLockLite()
    private var stored: Value?
    func set(_ value: Value) { lock.withLock { stored = value } }
    var value: Value? { lock.withLock { stored } }
}

final class Flag: @unchecked Sendable {
    private let box = Box<Bool>()
    func set(_ value: Bool) { box.set(value) }
    var value: Bool { box.value ?? false }
}

/// A pthread mutex (the tests need no more).
final class NSLockLite: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }
    func withLock<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return body()
    }
}
