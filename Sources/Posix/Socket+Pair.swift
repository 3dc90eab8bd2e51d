import Glibc

extension Socket {
    /// A connected pair of Unix stream sockets, both close-on-exec: one end for this process, the other to
    /// hand to a child as its standard input and output (a child gets it through dup2, which clears the flag),
    /// so that a program run the way inetd runs it sees one bidirectional descriptor, as with socat's EXEC.
    public static func pair() throws(SystemError) -> (Int32, Int32) {
        var fds: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds) == 0 else {
            throw SystemError(operation: "socketpair", path: "", errno: errno)
        }
        return (fds[0], fds[1])
    }
}
