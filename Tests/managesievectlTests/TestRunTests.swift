import ArgumentParser
import Testing

@testable import managesievectl

@Suite("TestRun.parse: the dry run's words without the argument parser")
struct TestRunTests {
    @Test(
        "reads the plain forms as the argument parser does",
        arguments: [
            ["s.sieve", "m.eml"],
            ["s.sieve"],
            ["s.sieve", "m1.eml", "m2.eml", "m3.eml"],
            ["--json", "s.sieve", "m.eml"],
            ["s.sieve", "--trace", "m.eml", "--json"],
            ["-c", "conf", "s.sieve", "m.eml"],
            ["--config", "conf", "s.sieve", "m.eml"],
            ["--config=conf", "s.sieve", "m.eml"],
            ["--envelope-from", "<>", "--envelope-to", "a@example.org", "s.sieve", "m.eml"],
            ["--envelope-from=a=b@example.org", "--envelope-to=<c@example.org>", "s.sieve", "m.eml"],
            ["--personal-dir", "/p", "--global-dir=/g", "s.sieve", "m.eml"],
            ["--mailbox", "A", "--mailbox=B", "s.sieve", "--mailbox", "C D", "m.eml"],
            ["--now", "1700000000", "s.sieve", "m.eml"],
            ["--now=2024-01-15T08:00:00+01:00", "s.sieve", "m.eml"],
            ["--now", "Mon, 15 Jan 2024 08:00:00 +0000", "s.sieve", "m.eml"],
            ["--duplicate-seen", "id1", "--duplicate-seen=id2", "s.sieve", "m.eml"],
            ["--batch", "list", "--json", "s.sieve"],
            ["--batch=list", "s.sieve", "m.eml"],
            [
                "-c", "conf", "--json", "--trace", "--envelope-from", "f@x", "--envelope-to", "t@y", "--personal-dir",
                "p", "--global-dir", "g", "--mailbox", "M", "--now", "0", "--duplicate-seen", "d", "--batch", "b",
                "s.sieve", "m.eml",
            ],
        ])
    func sameAsTheArgumentParser(words: [String]) throws {
        let fast = try #require(TestRun.parse(words))
        #expect(fast == (try TestCommand.parse(words)).options)
    }

    @Test(
        "leaves everything else to the argument parser",
        arguments: [
            [], ["--json"], ["--help"], ["-h"], ["s.sieve", "--help"], ["--", "s.sieve", "m.eml"],
            ["-", "m.eml"], ["s.sieve", "-"], ["--bogus", "s.sieve", "m.eml"], ["--json=1", "s.sieve", "m.eml"],
            ["--json", "--json", "s.sieve", "m.eml"], ["--trace", "--trace", "s.sieve", "m.eml"],
            ["--now", "1", "--now", "2", "s.sieve", "m.eml"], ["-c", "a", "--config", "b", "s.sieve", "m.eml"],
            ["--envelope-from", "", "s.sieve", "m.eml"], ["--envelope-from=", "s.sieve", "m.eml"],
            ["--envelope-from", "-x", "s.sieve", "m.eml"], ["s.sieve", "m.eml", "--config"], ["-cconf", "s.sieve"],
            ["-c=conf", "s.sieve"], ["-j", "s.sieve"], ["--Json", "s.sieve"], ["--mailbox", "--json", "s.sieve"],
            ["--version", "s.sieve"], ["--generate-completion-script", "bash"],
        ])
    func fallsBack(words: [String]) {
        #expect(TestRun.parse(words) == nil)
    }
}
