import Glibc
import Testing

@testable import Posix

@Suite("Checkpassword")
struct CheckpasswordTests {
    /// Runs `/bin/sh -c SCRIPT sh` as the checkpassword program, with `/bin/sh -c REPLY` as its reply program.
    static func run(_ script: String, reply: String = "exit 0", timeout: Int = 5000) -> CheckpasswordOutcome {
        Checkpassword.run(
            program: ["/bin/sh", "-c", script, "sh"], reply: ["/bin/sh", "-c", reply], user: "dave",
            password: Array("pw".utf8), environment: ["SERVICE": "sieve"], timeoutMilliseconds: timeout,
            logger: Logger(destination: .discard))
    }

    @Test("exit codes: 1 rejected, 111 and others temporary, a signal temporary")
    func exitCodes() {
        #expect(Self.run("exit 1") == .rejected)
        #expect(Self.run("exit 111") == .temporaryFailure("/bin/sh reported a temporary failure (exit 111)"))
        #expect(Self.run("exit 2") == .temporaryFailure("/bin/sh exited with status 2"))
        #expect(Self.run("kill -9 $$") == .temporaryFailure("/bin/sh was killed by signal 9"))
    }

    @Test("the program gets user NUL password NUL on fd 3; its reply's key=value NUL pairs come back on fd 4")
    func handOver() {
        let exact = Self.run(
            #"[ "$(head -c 8 <&3 | od -An -tx1 | tr -d ' \n')" = "6461766500707700" ] || exit 1; exec "$@""#,
            reply: #"printf 'userdb_uid=1500\0HOME=/home/dave\0garbage\0' >&4"#)
        #expect(exact == .accepted(["userdb_uid": "1500", "HOME": "/home/dave"]))
    }

    @Test("the environment is clean and nothing but 0-4 is open")
    func hygiene() {
        let code = """
            import os, sys
            fds = sorted(int(fd) for fd in os.listdir("/proc/self/fd"))
            if fds[:5] != [0, 1, 2, 3, 4] or len(fds) > 6: sys.exit(4)
            if sorted(os.environ) not in (["PATH", "SERVICE"], ["LC_CTYPE", "PATH", "SERVICE"]): sys.exit(3)
            os.execv(sys.argv[1], sys.argv[1:])
            """
        let outcome = Checkpassword.run(
            program: ["/usr/bin/python3", "-c", code], reply: ["/bin/true"], user: "dave", password: [0x70],
            environment: ["SERVICE": "sieve"], timeoutMilliseconds: 10_000, logger: Logger(destination: .discard))
        #expect(outcome == .accepted([:]))
    }

    @Test("a program that outlives the timeout is killed with its process group")
    func timeout() {
        let started = Clock.monotonicMilliseconds()
        let outcome = Self.run("sleep 30 & sleep 30", timeout: 300)
        #expect(outcome == .temporaryFailure("/bin/sh did not finish within 300 ms (killed)"))
        #expect(Clock.monotonicMilliseconds() - started < 5000)
    }

    @Test("reply pairs: key=value NUL, malformed pieces skipped")
    func parse() {
        #expect(Checkpassword.parseReply(Array("a=1\0=x\0b\0c=d=e\0".utf8)) == ["a": "1", "c": "d=e"])
    }
}
