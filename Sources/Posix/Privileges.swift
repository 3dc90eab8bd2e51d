internal import CLinux
import Glibc

// setresuid(2) and friends come from the CLinux shim: Swift's Glibc module hides their _GNU_SOURCE
// declarations. The drop does not trust them alone: it also checks with the portable
// getuid/geteuid/getgid/getegid and by trying to regain root, so a mismatch can only make it fail
// closed (exit), never report a drop that did not happen.
private func system_setresuid(_ ruid: uid_t, _ euid: uid_t, _ suid: uid_t) -> Int32 { setresuid(ruid, euid, suid) }
private func system_setresgid(_ rgid: gid_t, _ egid: gid_t, _ sgid: gid_t) -> Int32 { setresgid(rgid, egid, sgid) }
private func system_getresuid(
    _ ruid: UnsafeMutablePointer<uid_t>, _ euid: UnsafeMutablePointer<uid_t>, _ suid: UnsafeMutablePointer<uid_t>
) -> Int32 { getresuid(ruid, euid, suid) }
private func system_getresgid(
    _ rgid: UnsafeMutablePointer<gid_t>, _ egid: UnsafeMutablePointer<gid_t>, _ sgid: UnsafeMutablePointer<gid_t>
) -> Int32 { getresgid(rgid, egid, sgid) }

/// The one-way privilege drop after login (DESIGN.md convention 10, the OpenSMTPD pattern): one fixed
/// sequence, verified, and any failure ends the process. There is no recoverable error on purpose —
/// a caller cannot forget to check it and carry on as root.
public enum Privileges {
    /// EX_TEMPFAIL from sysexits.h: the exit status when the drop fails.
    public static let failureExitCode: Int32 = 75

    /// The real user id.
    public static var realUID: UInt32 { getuid() }
    /// The effective user id.
    public static var effectiveUID: UInt32 { geteuid() }
    /// True when running with effective uid 0.
    public static var isRoot: Bool { geteuid() == 0 }

    /// Drops to `uid`/`gid` for good: setgroups([gid] + supplementaryGroups) → setresgid(gid, gid, gid)
    /// → setresuid(uid, uid, uid), in that order (groups need root; so does changing gid once uid is
    /// gone). Then verifies that real, effective and saved ids all equal the targets and that
    /// setuid(0), seteuid(0), setgid(0) and setegid(0) all fail. Any failure logs and exits with 75.
    ///
    /// When the process is not root there is nothing to drop; the same verification still runs, so
    /// this returns only if the process already runs as exactly `uid`/`gid`.
    ///
    /// Users and groups are numbers from the passwd-file: this is a static binary, so there is no
    /// getpwnam/initgroups (no NSS) here.
    public static func dropPermanently(uid: UInt32, gid: UInt32, supplementaryGroups: [UInt32], logger: Logger) {
        func fail(_ step: String, _ code: Int32?) -> Never {
            let reason = code.map { ": " + ErrnoText.describe($0) } ?? ""
            logger.log(.error, "privilege drop to uid=\(uid) gid=\(gid) failed at \(step)\(reason)")
            ProcessControl.exit(failureExitCode)
        }
        // A log file not written to yet is opened now, while the process may still open it.
        logger.openNow()
        var groups: [gid_t] = [gid]
        for group in supplementaryGroups where !groups.contains(group) { groups.append(group) }
        if isRoot {
            if setgroups(groups.count, groups) != 0 { fail("setgroups", errno) }
            if system_setresgid(gid, gid, gid) != 0 { fail("setresgid", errno) }
            if system_setresuid(uid, uid, uid) != 0 { fail("setresuid", errno) }
            // Only checked after our own setgroups: a non-root caller keeps whatever groups it has.
            var current = [gid_t](repeating: 0, count: groups.count + 1)
            let count = getgroups(Int32(current.count), &current)
            guard count >= 0, Set(current.prefix(Int(count))) == Set(groups) else {
                fail("verifying the supplementary groups", count < 0 ? errno : nil)
            }
        }
        verify(uid: uid, gid: gid, fail: fail)
        let groupList = groups.map { String($0) }.joined(separator: ",")
        logger.log(.debug, "dropped privileges to uid=\(uid) gid=\(gid) groups=\(groupList)")
    }

    /// Proves the drop: ids as expected everywhere, and root cannot be regained by any route. The
    /// setuid/setgid probes are only valid tests when the targets are not 0, so a "drop" to root fails.
    private static func verify(uid: UInt32, gid: UInt32, fail: (String, Int32?) -> Never) {
        var ruid: uid_t = .max, euid: uid_t = .max, suid: uid_t = .max
        var rgid: gid_t = .max, egid: gid_t = .max, sgid: gid_t = .max
        if system_getresuid(&ruid, &euid, &suid) != 0 { fail("getresuid", errno) }
        if system_getresgid(&rgid, &egid, &sgid) != 0 { fail("getresgid", errno) }
        guard ruid == uid, euid == uid, suid == uid, getuid() == uid, geteuid() == uid else {
            fail("verifying the user ids (now \(ruid)/\(euid)/\(suid))", nil)
        }
        guard rgid == gid, egid == gid, sgid == gid, getgid() == gid, getegid() == gid else {
            fail("verifying the group ids (now \(rgid)/\(egid)/\(sgid))", nil)
        }
        // Each probe must fail; if one succeeds the process is (again) privileged and must not go on.
        if setuid(0) == 0 { fail("verifying that setuid(0) fails", nil) }
        if seteuid(0) == 0 { fail("verifying that seteuid(0) fails", nil) }
        if setgid(0) == 0 { fail("verifying that setgid(0) fails", nil) }
        if setegid(0) == 0 { fail("verifying that setegid(0) fails", nil) }
    }
}
