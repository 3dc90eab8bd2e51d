import Glibc

/// Outgoing TCP connections for the login proxy: numeric addresses only (the server binary is static and
/// has no NSS), a name being looked up in /etc/hosts by `HostsFile`. The connect is non-blocking and waited
/// for with poll(2), so an unreachable backend costs at most the timeout, never the kernel's minutes.
public enum TCPConnect {
    /// Why a backend address could not be used.
    public enum ResolveError: Error, Equatable, Sendable, CustomStringConvertible {
        /// Neither a numeric address nor a name in the hosts file.
        case unknownHost(String)
        public var description: String {
            switch self {
            case .unknownHost(let name):
                "cannot resolve '\(name)': not a numeric address and not in /etc/hosts (no DNS in a static binary)"
            }
        }
    }

    /// `host` itself when it is a numeric IPv4/IPv6 address (brackets allowed), else its first address in the
    /// hosts file at `hostsPath`.
    public static func resolve(_ host: String, hostsPath: String = "/etc/hosts") throws(ResolveError) -> String {
        var bare = host
        if bare.hasPrefix("[") && bare.hasSuffix("]") { bare = String(bare.dropFirst().dropLast()) }
        if isNumeric(bare) { return bare }
        if let text = try? FileRead.readFile(path: hostsPath, maxSize: 1 << 20),
            let address = HostsFile(parsing: text).address(for: bare), isNumeric(address)
        {
            return address
        }
        throw .unknownHost(host)
    }

    /// True for a numeric IPv4 or IPv6 address.
    public static func isNumeric(_ address: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, address, &v4) == 1 || inet_pton(AF_INET6, address, &v6) == 1
    }

    /// Connects to a numeric `address` and `port` within `timeoutMilliseconds`. Returns a blocking,
    /// close-on-exec socket with TCP_NODELAY set. Errors carry errno (ETIMEDOUT on timeout, ECONNREFUSED…).
    public static func connect(address: String, port: UInt16, timeoutMilliseconds: Int) throws(SystemError) -> Int32 {
        var storage = sockaddr_storage()
        var length: socklen_t
        var v4 = in_addr()
        var v6 = in6_addr()
        let family: Int32
        if inet_pton(AF_INET, address, &v4) == 1 {
            family = AF_INET
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
            withUnsafeMutablePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
                    sin.pointee.sin_family = sa_family_t(AF_INET)
                    sin.pointee.sin_port = port.bigEndian
                    sin.pointee.sin_addr = v4
                }
            }
        } else if inet_pton(AF_INET6, address, &v6) == 1 {
            family = AF_INET6
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            withUnsafeMutablePointer(to: &storage) { pointer in
                pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin6 in
                    sin6.pointee.sin6_family = sa_family_t(AF_INET6)
                    sin6.pointee.sin6_port = port.bigEndian
                    sin6.pointee.sin6_addr = v6
                }
            }
        } else {
            throw SystemError(operation: "connect", errno: EINVAL, detail: "not a numeric address: \(address)")
        }
        let fd = socket(
            family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        if fd < 0 { throw SystemError(operation: "socket", errno: errno) }
        let rc = withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, length) }
        }
        if rc != 0 {
            let code = errno
            guard code == EINPROGRESS || code == EINTR else {
                Glibc.close(fd)
                throw SystemError(operation: "connect", errno: code)
            }
            let ready: Int16
            do {
                ready = try SystemCall.pollOne(
                    fd, events: Int16(POLLOUT), timeoutMilliseconds: timeoutMilliseconds, operation: "connect")
            } catch {
                Glibc.close(fd)
                throw error
            }
            if ready == 0 {
                Glibc.close(fd)
                throw SystemError(operation: "connect", errno: ETIMEDOUT)
            }
            var soError: Int32 = 0
            var soLength = socklen_t(MemoryLayout<Int32>.size)
            if getsockopt(fd, SOL_SOCKET, SO_ERROR, &soError, &soLength) != 0 { soError = errno }
            if soError != 0 {
                Glibc.close(fd)
                throw SystemError(operation: "connect", errno: soError)
            }
        }
        let flags = fcntl(fd, F_GETFL)
        if flags >= 0 { _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) }
        Socket.setNoDelay(fd)
        return fd
    }

    /// The errno of a connect that timed out.
    public static var timedOutErrno: Int32 { ETIMEDOUT }

    /// Ends our sending side (shutdown SHUT_WR): the peer reads EOF but can still answer.
    public static func shutdownWrite(_ fd: Int32) {
        _ = Glibc.shutdown(fd, Int32(SHUT_WR))
    }

    /// Closes a descriptor returned by `connect`.
    public static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }
}
