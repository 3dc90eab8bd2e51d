import Glibc
import Testing

@testable import Posix

@Suite("ProcessControl")
struct ProcessControlTests {
    @Test("pid is getpid()")
    func pid() {
        #expect(ProcessControl.pid == getpid())
    }

    @Test("environment reads variables and returns nil for unset ones")
    func environment() {
        setenv("POSIX_TESTS_VARIABLE", "välue=1", 1)
        #expect(ProcessControl.environment("POSIX_TESTS_VARIABLE") == "välue=1")
        #expect(ProcessControl.environment("POSIX_TESTS_SURELY_UNSET_VARIABLE") == nil)
    }

    @Test("processIsAlive: this process and init are, a reaped child and pid 0 are not")
    func processIsAlive() {
        #expect(ProcessControl.processIsAlive(pid: getpid()))
        #expect(ProcessControl.processIsAlive(pid: 1))
        let pid = fork()
        if pid == 0 { _exit(0) }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        #expect(!ProcessControl.processIsAlive(pid: pid))
        #expect(!ProcessControl.processIsAlive(pid: 0))
        #expect(!ProcessControl.processIsAlive(pid: -1))
    }

    @Test("exit ends the process with the code at once")
    func exitCode() {
        #expect(runInChild { ProcessControl.exit(42) } == 42)
    }

    @Test("redirectStandardErrorToDevNull points fd 2 at /dev/null")
    func redirectsStderr() {
        let status = runInChild {
            guard ProcessControl.redirectStandardErrorToDevNull() else { _exit(2) }
            var err = stat()
            var null = stat()
            guard fstat(2, &err) == 0, stat("/dev/null", &null) == 0 else { _exit(3) }
            guard err.st_rdev == null.st_rdev, err.st_ino == null.st_ino else { _exit(4) }
            // Still open across exec, like any stderr.
            guard fcntl(2, F_GETFD) & FD_CLOEXEC == 0 else { _exit(5) }
            _exit(0)
        }
        #expect(status == 0)
    }

    @Test("ignoreSIGPIPE turns a write to a closed pipe into EPIPE")
    func sigpipe() {
        let status = runInChild {
            ProcessControl.ignoreSIGPIPE()
            var fds: [Int32] = [-1, -1]
            guard pipe(&fds) == 0 else { _exit(2) }
            close(fds[0])
            let result = write(fds[1], "x", 1)
            _exit(result == -1 && errno == EPIPE ? 0 : 3)
        }
        #expect(status == 0)
    }

    @Test("connectionPeer falls back to socat's environment, then REMOTE_HOST")
    func connectionPeer() {
        // Run in a child: the environment is process-wide and other tests run alongside.
        let status = runInChild {
            unsetenv("SOCAT_PEERADDR")
            unsetenv("SOCAT_PEERPORT")
            unsetenv("REMOTE_HOST")
            guard ProcessControl.connectionPeer(fd: 99_999) == nil else { _exit(2) }
            setenv("REMOTE_HOST", "client.example", 1)
            guard ProcessControl.connectionPeer(fd: 99_999) == "client.example" else { _exit(3) }
            setenv("SOCAT_PEERADDR", "192.0.2.7", 1)
            guard ProcessControl.connectionPeer(fd: 99_999) == "192.0.2.7" else { _exit(4) }
            setenv("SOCAT_PEERPORT", "4321", 1)
            guard ProcessControl.connectionPeer(fd: 99_999) == "192.0.2.7:4321" else { _exit(5) }
            setenv("SOCAT_PEERADDR", "2001:db8::1", 1)
            guard ProcessControl.connectionPeer(fd: 99_999) == "[2001:db8::1]:4321" else { _exit(6) }
            _exit(0)
        }
        #expect(status == 0)
    }
}
