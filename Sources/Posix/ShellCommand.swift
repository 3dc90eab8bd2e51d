internal import CLinux
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
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, descriptor, 0)
        posix_spawn_file_actions_adddup2(&actions, descriptor, 1)
        _ = withUnsafeMutablePointer(to: &actions) { posix_spawn_file_actions_addclosefrom_np($0, 3) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let words: [String] = ["/bin/sh", "-c", command]
        let argv = words.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, "/bin/sh", &actions, &attributes, argv, environ)
        guard spawned == 0 else { throw SystemError(operation: "posix_spawn", path: "/bin/sh", errno: spawned) }
        return ShellCommand(pid: pid)
    }

    /// Waits for the command to end.
    public func wait() {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }
}
