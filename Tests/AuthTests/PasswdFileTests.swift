import Auth
import Posix
import Testing

private func parse(_ text: String) -> PasswdFile { PasswdFile(parsing: Array(text.utf8)) }

@Suite("PasswdFile")
struct PasswdFileTests {
    @Test("reads Dovecot's format with comments, blank lines and omitted trailing fields")
    func wellFormed() {
        let file = parse(
            """
            # users
            alice:{SHA512-CRYPT}$6$x$y:1001:1001:Alice A.:/home/alice:/bin/false:userdb_quota_rule=*:storage=1G groups=1002,1003 nologin

            bob:$y$j9T$a$b:1002:100
            carol@example.org:{PLAIN}pw:2000:2000::/srv/carol\r
              # indented comment
            dave:{PLAIN}x:3000:3000:::/bin/sh:mail=/var/mail/dave:extra
            """)
        #expect(file.problems.isEmpty)
        #expect(file.count == 4)
        let alice = file.entry(for: "alice")
        #expect(alice?.password == "{SHA512-CRYPT}$6$x$y")
        #expect(alice?.uid == 1001)
        #expect(alice?.gid == 1001)
        #expect(alice?.gecos == "Alice A.")
        #expect(alice?.home == "/home/alice")
        #expect(alice?.shell == "/bin/false")
        #expect(alice?.extraFields == ["quota_rule": "*:storage=1G", "groups": "1002,1003"])
        #expect(alice?.flags == ["nologin"])
        #expect(alice?.supplementaryGroups == [1002, 1003])
        #expect(
            file.entry(for: "bob") == PasswdEntry(user: "bob", password: "$y$j9T$a$b", uid: 1002, gid: 100))
        #expect(file.entry(for: "carol@example.org")?.home == "/srv/carol")
        #expect(file.entry(for: "carol@example.org")?.supplementaryGroups == [])
        #expect(file.entry(for: "dave")?.extraFields == ["mail": "/var/mail/dave:extra"])
        #expect(file.entry(for: "ALICE") == nil)
        #expect(file.entry(for: "nobody") == nil)
    }

    @Test("malformed lines are reported with their line numbers and skipped")
    func malformed() {
        let file = parse(
            """
            good:{PLAIN}a:1000:1000::/home/good
            :{PLAIN}a:1000:1000
            short:{PLAIN}a:1000
            lonely
            baduid:{PLAIN}a:10x0:1000
            neguid:{PLAIN}a:-1:1000
            hugeuid:{PLAIN}a:4294967296:1000
            badgid:{PLAIN}a:1000:
            badgroups:{PLAIN}a:1000:1000::::groups=wheel
            good:{PLAIN}b:1001:1001
            sp ace:{PLAIN}a:1000:1000
            """)
        #expect(file.count == 1)
        #expect(file.entry(for: "good")?.password == "{PLAIN}a")
        for user in ["", "short", "lonely", "baduid", "neguid", "hugeuid", "badgid", "badgroups", "sp ace"] {
            #expect(file.entry(for: user) == nil)
        }
        #expect(file.problems.map(\.line) == [2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
        #expect(file.problems[0].message == "empty user name")
        #expect(file.problems[1].message == "too few fields (expected user:password:uid:gid[:gecos:home:shell:extra])")
        #expect(file.problems[3].message == "invalid uid '10x0' for user 'baduid' (expected a number)")
        #expect(file.problems[6].message == "invalid gid '' for user 'badgid' (expected a number)")
        #expect(file.problems[8].message == "duplicate user 'good' (first on line 1); line ignored")
    }

    @Test("fields are split at the octet ':', whatever marks stand next to it (FuzzPasswd's finding)")
    func marksNextToColons() {
        // U+0604 before a ':' and U+0301 after one each make a grapheme cluster with it; split on Characters,
        // the first line read as the user "\u{604}:15" with password "1500" and uid 0.
        let file = parse(
            "\u{604}:15:1500:00:00\n"
                + "mark:\u{301}pw:1000:1000::/home/mark::quota=1G\u{301} userdb_x=\u{301}y flag\n")
        let odd = file.entry(for: "\u{604}")
        #expect(odd?.user == "\u{604}")
        #expect(odd?.password == "15")
        #expect(odd?.uid == 1500)
        #expect(odd?.gid == 0)
        #expect(odd?.gecos == "00")
        let mark = file.entry(for: "mark")
        #expect(mark?.password == "\u{301}pw")
        #expect(mark?.uid == 1000)
        #expect(mark?.home == "/home/mark")
        #expect(mark?.extraFields == ["quota": "1G\u{301}", "x": "\u{301}y"])
        #expect(mark?.flags == ["flag"])
        #expect(file.problems.isEmpty)
    }

    @Test("invalid UTF-8 on a line is a problem, not a user")
    func invalidUTF8() {
        let file = PasswdFile(parsing: Array("ok:{PLAIN}a:1000:1000\n".utf8) + [0xC3, 0x28] + Array(":x:1:1\n".utf8))
        #expect(file.count == 1)
        #expect(file.problems.count == 1)
        #expect(file.problems.first?.line == 2)
    }

    @Test("load reports an unreadable file")
    func loadMissing() {
        #expect(throws: (any Error).self) { try PasswdFile.load(path: "/nonexistent/managesieved-passwd") }
        do {
            _ = try PasswdFile.load(path: "/nonexistent/managesieved-passwd")
        } catch {
            #expect(error.description.hasPrefix("cannot read passwd-file /nonexistent/managesieved-passwd"))
        }
    }

    @Test("load reads a file from disk")
    func loadFile() throws {
        // /etc/passwd has Dovecot's first seven fields, so it parses (with no password schemes that verify).
        let file = try PasswdFile.load(path: "/etc/passwd")
        #expect(file.entry(for: "root")?.uid == 0)
        #expect(file.entry(for: "root")?.home == "/root")
    }
}
