internal import CLinux
import Glibc

/// posix_spawn as this process starts its children: the first descriptors set as listed and none above them
/// inherited, no signal blocked and SIGPIPE at its default (whatever this process does with it).
enum Spawn {
    /// What one of the child's first descriptors is.
    enum ChildFile {
        /// /dev/null, opened with these flags.
        case null(Int32)
        /// A descriptor of this process, duplicated.
        case descriptor(Int32)
        /// This process's descriptor of the same number, as it is.
        case inherited
    }

    /// Starts `path` with `arguments` (argv[0] included) and `environment` (`key=value`; nil: this process's);
    /// `files[i]` becomes descriptor i. `ownProcessGroup` puts it in a new process group, so that one kill
    /// reaches whatever it starts in turn.
    static func start(
        _ path: String, arguments: [String], environment: [String]?, files: [ChildFile],
        ownProcessGroup: Bool = false
    ) throws(SystemError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (number, file) in zip(Int32(0)..., files) {
            switch file {
            case .null(let flags): posix_spawn_file_actions_addopen(&actions, number, "/dev/null", flags, 0)
            case .descriptor(let fd): posix_spawn_file_actions_adddup2(&actions, fd, number)
            case .inherited: break
            }
        }
        _ = withUnsafeMutablePointer(to: &actions) { posix_spawn_file_actions_addclosefrom_np($0, Int32(files.count)) }

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
        var flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        if ownProcessGroup {
            posix_spawnattr_setpgroup(&attributes, 0)
            flags |= POSIX_SPAWN_SETPGROUP
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { $0.map { strdup($0) } + [nil] }
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp ?? [] { free(pointer) }
        }
        var pid: pid_t = 0
        let spawned =
            if let envp {
                posix_spawn(&pid, path, &actions, &attributes, argv, envp)
            } else {
                posix_spawn(&pid, path, &actions, &attributes, argv, environ)
            }
        guard spawned == 0 else { throw SystemError(operation: "posix_spawn", path: path, errno: spawned) }
        return pid
    }
}
