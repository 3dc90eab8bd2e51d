internal import CLinux
import Glibc

/// What the server process keeps away from the user it will become, and the limits that make a session's
/// worst case end that session, never the host (DESIGN.md, security rules of thumb).
public enum ProcessHardening {
    /// First thing at start, still root: not dumpable (no core file; /proc/PID and ptrace stay root's after
    /// the drop whatever fs.suid_dumpable says), a core size limit of 0, and every descriptor from 3 up that
    /// the launcher left open closed, except systemd's socket-activation descriptors (LISTEN_FDS, when
    /// LISTEN_PID is this process), which are ours. Nothing of the server's own is open yet at that point.
    public static func atStart() {
        _ = clinux_set_not_dumpable()
        var none = rlimit(rlim_cur: 0, rlim_max: 0)
        _ = setrlimit(Int32(RLIMIT_CORE.rawValue), &none)
        closeInheritedDescriptors(keeping: socketActivationDescriptors())
    }

    /// Whether the process may be dumped (and so read through /proc/PID/mem or ptrace by its own user).
    public static var isDumpable: Bool { clinux_is_dumpable() != 0 }

    /// Closes every descriptor from 3 up, but the `kept` ones (which start at 3 and are consecutive).
    static func closeInheritedDescriptors(keeping kept: Int32) {
        let first = UInt32(3 + max(0, kept))
        if clinux_close_range(first, UInt32.max) == 0 { return }
        // Kernels before 5.9: close what /proc lists (or, without /proc, the soft limit's range).
        var limit = rlimit()
        let top = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 ? min(Int(limit.rlim_cur), 65_536) : 1024
        for fd in Int(first)..<max(Int(first), top) { _ = close(Int32(fd)) }
    }

    /// sd_listen_fds(3)'s rule: LISTEN_FDS descriptors from 3 are ours when LISTEN_PID names this process.
    static func socketActivationDescriptors() -> Int32 {
        guard let pidText = getenv("LISTEN_PID"), let countText = getenv("LISTEN_FDS"),
            let pid = Int32(String(cString: pidText)), pid == getpid(),
            let count = Int32(String(cString: countText)), count > 0
        else { return 0 }
        return min(count, 1024)
    }

    /// Resource limits of a logged-in session, set right after the privilege drop (the user cannot raise
    /// them again: soft and hard limits are set alike, except that CPU time's hard limit is one second
    /// later, so SIGXCPU can log before SIGKILL). 0 leaves a limit as it was. From then on the process
    /// dying of a signal (the CPU limit, or an allocation failing under the address-space limit, which
    /// the Swift runtime treats as fatal) leaves one error line in the log naming the signal and these
    /// limits. Returns the problems met (a limit the kernel refused), for the caller to log.
    public static func limitSession(addressSpaceBytes: UInt64, cpuSeconds: UInt64, logger: Logger) -> [String] {
        var problems: [String] = []
        if addressSpaceBytes > 0 {
            var limit = rlimit(rlim_cur: rlim_t(addressSpaceBytes), rlim_max: rlim_t(addressSpaceBytes))
            if setrlimit(Int32(RLIMIT_AS.rawValue), &limit) != 0 {
                problems.append("setrlimit(RLIMIT_AS, \(addressSpaceBytes)): \(ErrnoText.describe(errno))")
            }
        }
        if cpuSeconds > 0 {
            var used = rusage()
            _ = getrusage(RUSAGE_SELF.rawValue, &used)
            // Counted from now: the CPU time spent before login (TLS handshake, password hashing) is not the user's.
            let spent = UInt64(max(0, used.ru_utime.tv_sec + used.ru_stime.tv_sec))
            var limit = rlimit(rlim_cur: rlim_t(spent + cpuSeconds), rlim_max: rlim_t(spent + cpuSeconds + 1))
            if setrlimit(Int32(RLIMIT_CPU.rawValue), &limit) != 0 {
                problems.append("setrlimit(RLIMIT_CPU, \(cpuSeconds)): \(ErrnoText.describe(errno))")
            }
        }
        var limits: [String] = []
        if addressSpaceBytes > 0 { limits.append("managesieve_max_memory=\(addressSpaceBytes >> 20)M") }
        if cpuSeconds > 0 { limits.append("managesieve_max_cpu=\(cpuSeconds)s") }
        let shown = limits.isEmpty ? "none" : limits.joined(separator: " ")
        logger.installLastWords(
            "session ended by signal ",
            " (resource limits: \(shown); a memory allocation failing under the limit ends the process this way too)")
        return problems
    }
}
