import Glibc
import Testing

@testable import Posix

/// The drop is irreversible, so each case runs in a forked child that reports through its exit status.
@Suite("Privileges", .enabled(if: Privileges.isRoot, "the privilege drop can only be tested as root"))
struct PrivilegesTests {
    @Test("drops to nobody for good: ids, groups, and no way back to root")
    func dropsToNobody() {
        let logger = Logger(destination: .discard)
        let status = runInChild {
            Privileges.dropPermanently(uid: 65534, gid: 65534, supplementaryGroups: [65533, 65534], logger: logger)
            guard getuid() == 65534, geteuid() == 65534, getgid() == 65534, getegid() == 65534 else { _exit(10) }
            var groups = [gid_t](repeating: 0, count: 8)
            let count = getgroups(8, &groups)
            guard count == 2, Set(groups.prefix(2)) == [65533, 65534] else { _exit(11) }
            guard setuid(0) == -1, seteuid(0) == -1, setgid(0) == -1, setgroups(0, nil) == -1 else { _exit(12) }
            guard !Privileges.isRoot, Privileges.realUID == 65534, Privileges.effectiveUID == 65534 else { _exit(13) }
            // Files owned by root with mode 0600 are now out of reach.
            guard access("/etc/shadow", R_OK) == -1 || !FileRead.exists("/etc/shadow") else { _exit(14) }
            _exit(0)
        }
        #expect(status == 0)
    }

    @Test("called again once unprivileged, it only verifies and returns")
    func secondCallVerifies() {
        let logger = Logger(destination: .discard)
        let status = runInChild {
            Privileges.dropPermanently(uid: 65534, gid: 65534, supplementaryGroups: [], logger: logger)
            Privileges.dropPermanently(uid: 65534, gid: 65534, supplementaryGroups: [], logger: logger)
            _exit(0)
        }
        #expect(status == 0)
    }

    @Test("an unprivileged process asked to become another user exits with 75")
    func unprivilegedMismatchExits() {
        let logger = Logger(destination: .discard)
        let status = runInChild {
            Privileges.dropPermanently(uid: 65534, gid: 65534, supplementaryGroups: [], logger: logger)
            Privileges.dropPermanently(uid: 1234, gid: 1234, supplementaryGroups: [], logger: logger)
            _exit(0)
        }
        #expect(status == 75)
    }

    @Test("a 'drop' to root fails verification and exits with 75", arguments: [(UInt32(0), UInt32(65534)), (65534, 0)])
    func dropToRootExits(uid: UInt32, gid: UInt32) {
        let logger = Logger(destination: .discard)
        let status = runInChild {
            Privileges.dropPermanently(uid: uid, gid: gid, supplementaryGroups: [], logger: logger)
            _exit(0)
        }
        #expect(status == 75)
    }

    @Test("a log file nothing was written to yet is opened before the drop, so later lines still reach it")
    func logFileOpenedBeforeTheDrop() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        // Only root may create a file in this folder: opened after the drop, the file would be out of reach.
        #expect(chmod(dir.path, 0o700) == 0)
        let path = dir.file("log")
        let logger = Logger(destination: .file(path: path))
        #expect(!FileRead.exists(path), "the file is opened at the first line, not when the logger is made")
        let status = runInChild {
            Privileges.dropPermanently(uid: 65534, gid: 65534, supplementaryGroups: [], logger: logger)
            logger.log(.info, "after the drop")
            _exit(0)
        }
        #expect(status == 0)
        let text = String(decoding: try FileRead.readFile(path: path, maxSize: 10_000), as: UTF8.self)
        #expect(text.hasSuffix(": after the drop\n"))
    }

    @Test("the failure is logged before the exit")
    func failureIsLogged() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let path = dir.file("log")
        let logger = Logger(destination: .file(path: path))
        let status = runInChild {
            Privileges.dropPermanently(uid: 0, gid: 0, supplementaryGroups: [], logger: logger)
            _exit(0)
        }
        #expect(status == 75)
        let log = try FileRead.readFile(path: path, maxSize: 10_000)
        let text = String(decoding: log, as: UTF8.self)
        #expect(text.contains("privilege drop to uid=0 gid=0 failed at verifying that setuid(0) fails"))
    }
}
