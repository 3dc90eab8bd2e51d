import Glibc
import Posix
import TestSockets
import Testing

/// Tests of Posix.Socket (it lives in Posix; its tests live here, beside its main user).
@Suite("Socket")
struct SocketTests {
    @Test("numeric IPv4 addresses with ports on both ends")
    func ipv4() throws {
        let (listener, server, client) = try #require(tcpPair(family: AF_INET))
        defer { close(listener); close(server); close(client) }
        let peer = try #require(Socket.peerAddress(server))
        let local = try #require(Socket.localAddress(server))
        #expect(peer.hasPrefix("127.0.0.1:"))
        #expect(local.hasPrefix("127.0.0.1:"))
        #expect(Socket.localAddress(client) == peer)
        #expect(Socket.peerAddress(client) == local)
        #expect(Socket.isSocket(server))
        Socket.setNoDelay(server)
        var value: Int32 = 0
        var length = socklen_t(4)
        getsockopt(server, Int32(IPPROTO_TCP), TCP_NODELAY, &value, &length)
        #expect(value != 0)
    }

    @Test("IPv6 addresses are bracketed")
    func ipv6() throws {
        guard let (listener, server, client) = tcpPair(family: AF_INET6) else { return }  // no IPv6 here
        defer { close(listener); close(server); close(client) }
        let peer = try #require(Socket.peerAddress(server))
        #expect(peer.hasPrefix("[::1]:"))
    }

    @Test("Unix sockets and pipes have no inet address; pipes are not sockets; NODELAY on them is harmless")
    func nonInet() {
        let (a, b) = socketPair()
        defer { close(a); close(b) }
        #expect(Socket.isSocket(a))
        #expect(Socket.peerAddress(a) == nil)
        #expect(Socket.localAddress(a) == nil)
        Socket.setNoDelay(a)
        var fds: [Int32] = [0, 0]
        precondition(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        #expect(!Socket.isSocket(fds[0]))
        #expect(Socket.peerAddress(fds[0]) == nil)
        Socket.setNoDelay(fds[0])
        #expect(Socket.peek(fds[0], maxCount: 1, timeoutMilliseconds: 0) == nil)
    }

    @Test("peek does not consume, times out with nil and reports EOF as []")
    func peek() {
        let (a, b) = socketPair()
        defer { close(a) }
        #expect(Socket.peek(a, maxCount: 4, timeoutMilliseconds: 10) == nil)
        _ = Array("hello".utf8).withUnsafeBytes { write(b, $0.baseAddress, $0.count) }
        #expect(Socket.peek(a, maxCount: 4, timeoutMilliseconds: 10) == Array("hell".utf8))
        #expect(Socket.peek(a, maxCount: 10, timeoutMilliseconds: 10) == Array("hello".utf8))
        var buffer = [UInt8](repeating: 0, count: 10)
        #expect(read(a, &buffer, 10) == 5)
        close(b)
        #expect(Socket.peek(a, maxCount: 4, timeoutMilliseconds: 10) == [])
    }
}
