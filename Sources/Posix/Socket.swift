import Glibc

/// Socket helpers for the connection on fd 0/1: type checks, TCP_NODELAY, numeric addresses and a peek
/// that does not consume bytes (for implicit-TLS sniffing).
///
/// Addresses are always numeric: the server binary is static and cannot use NSS.
public enum Socket {
    /// True when `fd` is a socket of any family.
    public static func isSocket(_ fd: Int32) -> Bool {
        var st = stat()
        guard fstat(fd, &st) == 0 else { return false }
        return (st.st_mode & S_IFMT) == S_IFSOCK
    }

    /// Sets TCP_NODELAY so small TLS records (handshake flight, capability block) are not held back by
    /// Nagle's algorithm waiting on a delayed ACK. Errors (a pipe, a Unix socket) are ignored.
    public static func setNoDelay(_ fd: Int32) {
        var one: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    /// The peer's numeric address, `127.0.0.1:4321` or `[::1]:4321`; nil when `fd` is not an inet socket.
    public static func peerAddress(_ fd: Int32) -> String? {
        address(fd) { fd, sa, len in getpeername(fd, sa, len) }
    }

    /// The local numeric address, as `peerAddress`.
    public static func localAddress(_ fd: Int32) -> String? {
        address(fd) { fd, sa, len in getsockname(fd, sa, len) }
    }

    /// Waits up to `timeoutMilliseconds` (negative: forever) for input, then returns up to `maxCount` octets
    /// without consuming them. nil on timeout, on a non-socket or on error; `[]` when the peer has closed.
    public static func peek(_ fd: Int32, maxCount: Int, timeoutMilliseconds: Int) -> [UInt8]? {
        guard maxCount > 0 else { return [] }
        guard waitReadable(fd, timeoutMilliseconds: timeoutMilliseconds) else { return nil }
        var buffer = [UInt8](repeating: 0, count: maxCount)
        while true {
            let n = buffer.withUnsafeMutableBytes { raw in
                recv(fd, raw.baseAddress, maxCount, Int32(MSG_PEEK) | Int32(MSG_DONTWAIT))
            }
            if n >= 0 { return Array(buffer.prefix(n)) }
            if errno == EINTR { continue }
            return nil
        }
    }

    private static func address(
        _ fd: Int32,
        _ call: (Int32, UnsafeMutablePointer<sockaddr>, UnsafeMutablePointer<socklen_t>) -> Int32
    ) -> String? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { call(fd, $0, &length) }
        }
        guard rc == 0 else { return nil }
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
                    var addr = sin.pointee.sin_addr
                    let port = UInt16(bigEndian: sin.pointee.sin_port)
                    guard let text = numeric(AF_INET, &addr, Int(INET_ADDRSTRLEN)) else { return nil }
                    return "\(text):\(port)"
                }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin6 in
                    var addr = sin6.pointee.sin6_addr
                    let port = UInt16(bigEndian: sin6.pointee.sin6_port)
                    // An IPv4 client on a dual-stack socket shows as ::ffff:a.b.c.d; log it as plain IPv4.
                    let bytes = withUnsafeBytes(of: &addr) { Array($0) }
                    if bytes.prefix(10).allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff {
                        return "\(bytes[12]).\(bytes[13]).\(bytes[14]).\(bytes[15]):\(port)"
                    }
                    guard let text = numeric(AF_INET6, &addr, Int(INET6_ADDRSTRLEN)) else { return nil }
                    return "[\(text)]:\(port)"
                }
            }
        default:
            return nil
        }
    }

    private static func numeric(_ family: Int32, _ addr: UnsafeRawPointer, _ size: Int) -> String? {
        var text = [CChar](repeating: 0, count: size + 1)
        guard inet_ntop(family, addr, &text, socklen_t(size)) != nil else { return nil }
        return text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// poll(2) on one fd with a deadline that survives EINTR; false on timeout, negative waits forever.
    private static func waitReadable(_ fd: Int32, timeoutMilliseconds: Int) -> Bool {
        let end = timeoutMilliseconds < 0 ? nil : DescriptorWait.now() + Int64(timeoutMilliseconds)
        // An error also ends the wait: the recv that follows reports it.
        return DescriptorWait.wait(fd, events: Int16(POLLIN), until: end)
    }
}
