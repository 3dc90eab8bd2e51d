import Glibc
import Testing

@testable import Posix

/// Switches the file identity back and forth in a forked child (it changes process-wide groups), which reports
/// through its exit status.
@Suite("FileSystemIdentity", .enabled(if: Privileges.isRoot, "switching the file identity needs root"))
struct FileSystemIdentityTests {
    @Test("acts on files as the user, then as root again, and real and effective ids never change")
    func switchesAndReturns() {
        let status = runInChild {
            var template = Array("/tmp/fsid-test-XXXXXX".utf8CString)
            guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else { _exit(9) }
            let directory = String(cString: made)
            guard chmod(directory, 0o700) == 0 else { _exit(9) }  // root's, closed to everyone else
            do {
                try FileSystemIdentity.become(uid: 65534, gid: 65534, supplementaryGroups: [65533])
            } catch {
                _exit(10)
            }
            guard FileSystemIdentity.current == (65534, 65534) else { _exit(11) }
            guard geteuid() == 0, getuid() == 0 else { _exit(12) }
            // Root's file capabilities are off: a root-only directory is closed to this identity.
            guard open(directory, O_RDONLY | O_DIRECTORY) == -1, errno == EACCES else { _exit(13) }
            guard open(directory + "/x", O_WRONLY | O_CREAT | O_EXCL, 0o600) == -1, errno == EACCES else { _exit(14) }
            do {
                try FileSystemIdentity.becomeRoot()
            } catch {
                _exit(15)
            }
            guard FileSystemIdentity.current == (0, 0) else { _exit(16) }
            let fd = open(directory + "/x", O_WRONLY | O_CREAT | O_EXCL, 0o600)
            guard fd >= 0 else { _exit(17) }
            close(fd)
            unlink(directory + "/x")
            rmdir(directory)
            _exit(0)
        }
        #expect(status == 0)
    }

    @Test("uid or gid 0 is refused")
    func refusesRoot() {
        #expect(throws: SystemError.self) { try FileSystemIdentity.become(uid: 0, gid: 1, supplementaryGroups: []) }
        #expect(throws: SystemError.self) { try FileSystemIdentity.become(uid: 1, gid: 0, supplementaryGroups: []) }
        #expect(FileSystemIdentity.current == (0, 0))
    }
}
