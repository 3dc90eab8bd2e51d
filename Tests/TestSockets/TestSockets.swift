import Glibc

// Socket pairs for the tests of Posix and TLS (one copy; test targets cannot import each other).

/// A loopback TCP connection: (listener, server side, client side).
public func tcpPair(family: Int32) -> (Int32, Int32, Int32)? {
    let listener = Glibc.socket(family, Int32(SOCK_STREAM.rawValue), 0)
    guard listener >= 0 else { return nil }
    if family == AF_INET {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        let ok = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
        guard ok else { close(listener); return nil }
    } else {
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_addr = in6addr_loopback
        let ok = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) == 0
            }
        }
        guard ok else { close(listener); return nil }
    }
    listen(listener, 1)
    var local = sockaddr_storage()
    var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
    _ = withUnsafeMutablePointer(to: &local) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
    }
    let client = Glibc.socket(family, Int32(SOCK_STREAM.rawValue), 0)
    let connected = withUnsafePointer(to: &local) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, length) == 0 }
    }
    guard connected else { close(listener); close(client); return nil }
    let server = accept(listener, nil, nil)
    return (listener, server, client)
}

/// Ignores SIGPIPE once: a write to a peer that is gone must fail with EPIPE, not kill the test runner.
let ignoreSIGPIPE: Void = { _ = signal(SIGPIPE, SIG_IGN) }()

/// A connected AF_UNIX stream pair (not an inet socket), with SIGPIPE ignored.
public func socketPair() -> (Int32, Int32) {
    _ = ignoreSIGPIPE
    var fds: [Int32] = [-1, -1]
    precondition(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
    return (fds[0], fds[1])
}
