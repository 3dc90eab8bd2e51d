import Glibc

/// A command run by `/bin/sh -c` with its standard input and output on one descriptor (as inetd hands a server
/// its socket): the admin tool's transcript replay against a spawned server.
public struct ShellCommand {
    public let pid: Int32

    /// Starts `command` with fds 0 and 1 on `descriptor`; stderr and the environment are this process's, no other
    /// descriptor is inherited, and signals start with their defaults (SIGPIPE included) and none blocked.
    public static func start(
        _ command: String, standardInputOutput descriptor: Int32
    ) throws(SystemError)
        -> ShellCommand
    {
        let pid = try Spawn.start(
            "/bin/sh", arguments: ["/bin/sh", "-c", command], environment: nil,
            files: [.descriptor(descriptor), .descriptor(descriptor), .inherited])
        return ShellCommand(pid: pid)
    }

    /// Waits for the command to end.
    public func wait() {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }
}
