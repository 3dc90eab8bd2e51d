internal import CLinux
import Glibc

private func system_setfsuid(_ uid: UInt32) -> Int32 { setfsuid(uid) }
private func system_setfsgid(_ gid: UInt32) -> Int32 { setfsgid(gid) }

/// The identity the kernel checks file access against (setfsuid(2)/setfsgid(2) and the supplementary
/// groups), switched back and forth by a root process that works on many users' files in turn (the admin
/// tool's `--all-users`). While it is a user's, every path lookup, permission check, symlink and file
/// creation is the user's: root's file capabilities (CAP_DAC_OVERRIDE & co.) are dropped from the effective
/// set by the kernel as long as the file-system uid is not 0, so root never reads or follows anything the
/// user could not. Other privileges stay, which is what lets the process switch back; the server itself
/// never uses this (it drops for good with `Privileges.dropPermanently`).
///
/// Per thread: call it only from the thread that then touches the files (setgroups is made process-wide
/// by glibc). Every switch is verified by asking the kernel again; a failed switch throws and leaves the
/// process acting as root's file identity (never half a user).
public enum FileSystemIdentity {
    /// Acts on files as `uid`/`gid` with `[gid] + supplementaryGroups`. Root only; `uid` and `gid` not 0.
    public static func become(uid: UInt32, gid: UInt32, supplementaryGroups: [UInt32]) throws(SystemError) {
        guard uid != 0, gid != 0 else {
            throw SystemError(operation: "setfsuid", path: "uid \(uid) gid \(gid)", errno: EPERM)
        }
        var groups: [gid_t] = [gid]
        for group in supplementaryGroups where !groups.contains(group) { groups.append(group) }
        if setgroups(groups.count, groups) != 0 {
            let code = errno
            throw SystemError(operation: "setgroups", path: "uid \(uid)", errno: code)
        }
        _ = system_setfsgid(gid)
        _ = system_setfsuid(uid)
        // Each call returns the previous value: asking again with the same id reports the current one.
        guard UInt32(bitPattern: system_setfsgid(gid)) == gid, UInt32(bitPattern: system_setfsuid(uid)) == uid else {
            try? becomeRoot()
            throw SystemError(operation: "setfsuid", path: "uid \(uid) gid \(gid)", errno: EPERM)
        }
    }

    /// Back to root's own file identity (uid 0, gid 0, root's groups: none but 0).
    public static func becomeRoot() throws(SystemError) {
        _ = system_setfsuid(0)
        _ = system_setfsgid(0)
        let rootGroups: [gid_t] = [0]
        let failed = setgroups(rootGroups.count, rootGroups) != 0
        let code = errno
        guard !failed, system_setfsuid(0) == 0, system_setfsgid(0) == 0 else {
            throw SystemError(operation: "setfsuid", path: "uid 0", errno: failed ? code : EPERM)
        }
    }

    /// The current file-system uid and gid (asked without changing them: an invalid id is refused and the
    /// call returns the current one).
    public static var current: (uid: UInt32, gid: UInt32) {
        (UInt32(bitPattern: system_setfsuid(UInt32.max)), UInt32(bitPattern: system_setfsgid(UInt32.max)))
    }
}
