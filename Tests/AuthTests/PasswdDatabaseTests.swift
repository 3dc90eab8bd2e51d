import Auth
import Glibc
import Posix
import Testing

/// A passwd-file in a private temporary directory, written and rewritten with plain libc calls.
private final class TemporaryPasswd {
    let directory: String
    var path: String { directory + "/passwd" }
    var indexPath: String { path + ".index" }

    init() {
        var template = Array("/tmp/passwd-database-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        directory = String(cString: made!)
    }

    deinit {
        for name in ["passwd", "passwd.index"] { unlink(directory + "/" + name) }
        rmdir(directory)
    }

    /// `count` users `user0`… with crypt hashes (about 60 octets a line, so 1,500 lines are over the index
    /// threshold), and `extra` lines after them.
    static func lines(count: Int, password: (Int) -> String = { "{SHA512-CRYPT}$6$salt$hash\($0)" }) -> [String] {
        (0..<count).map { "user\($0):\(password($0)):\(2000 + $0):2000::/home/user\($0)::" }
    }

    /// Writes the file in place (same inode), as an editor that truncates and rewrites does.
    func write(_ lines: [String]) {
        let text = Array((lines.joined(separator: "\n") + "\n").utf8)
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        precondition(fd >= 0)
        _ = text.withUnsafeBytes { Glibc.write(fd, $0.baseAddress!, $0.count) }
        close(fd)
    }

    func bytes(_ path: String) -> [UInt8] {
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        var result: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if count <= 0 { return result }
            result.append(contentsOf: chunk[0..<count])
        }
    }

    func overwrite(_ path: String, with bytes: [UInt8]) {
        let fd = open(path, O_WRONLY | O_TRUNC)
        _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress!, $0.count) }
        close(fd)
    }

    var indexExists: Bool { access(indexPath, F_OK) == 0 }
}

@Suite("PasswdDatabase")
struct PasswdDatabaseTests {
    @Test("a large file is scanned once, indexed, and then answered from the index: first, middle and last user")
    func indexedLookups() {
        let passwd = TemporaryPasswd()
        passwd.write(TemporaryPasswd.lines(count: 2000))
        let first = PasswdDatabase(path: passwd.path)
        #expect(!first.usesIndex)
        #expect(passwd.indexExists)
        #expect(first.notes.map(\.message).contains { $0.contains("rebuilt (2000 lines)") })
        let second = PasswdDatabase(path: passwd.path)
        #expect(second.usesIndex)
        #expect(second.notes.isEmpty)
        for database in [first, second] {
            for number in [0, 1000, 1999] {
                let entry = database.entry(for: "user\(number)")
                #expect(entry?.uid == UInt32(2000 + number))
                #expect(entry?.password == "{SHA512-CRYPT}$6$salt$hash\(number)")
            }
            #expect(database.entry(for: "user2000") == nil)
            #expect(database.entry(for: "user1") != database.entry(for: "user10"))
            #expect(database.entry(for: "") == nil)
            #expect(database.entry(for: "user1:x") == nil)
            #expect(!database.mayServeSCRAM)
            #expect(!database.canServe(.sha256) && !database.canServe(.sha1))
        }
    }

    @Test("a small file is read whole and writes no index")
    func smallFile() {
        let passwd = TemporaryPasswd()
        passwd.write(TemporaryPasswd.lines(count: 3))
        let database = PasswdDatabase(path: passwd.path)
        #expect(database.entry(for: "user2")?.uid == 2002)
        #expect(!database.usesIndex)
        #expect(!passwd.indexExists)
    }

    @Test("a changed, removed and added user and a new SCRAM entry are seen by the next open, index fresh or not")
    func changesAreSeen() {
        for rebuildBetween in [false, true] {
            let passwd = TemporaryPasswd()
            passwd.write(TemporaryPasswd.lines(count: 1500))
            _ = PasswdDatabase(path: passwd.path)
            #expect(PasswdDatabase(path: passwd.path).usesIndex)
            var lines = TemporaryPasswd.lines(count: 1500)
            lines[700] = "user700:{PLAIN}new-password:2700:2000::/home/user700::"
            lines.remove(at: 1499)
            lines.insert(
                "newcomer:{SCRAM-SHA-256}4096,c2FsdA==,AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=,AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=:3000:3000::/home/n::",
                at: 3)
            lines[1] = "user1:{SHA512-CRYPT}$6$salt$hash1:2001:2000::/home/user1::nologin"
            passwd.write(lines)
            if rebuildBetween {
                // Another connection has already rebuilt the index for the new version.
                #expect(!PasswdDatabase(path: passwd.path).usesIndex)
            }
            let database = PasswdDatabase(path: passwd.path)
            #expect(database.usesIndex == rebuildBetween)
            #expect(database.entry(for: "user700")?.password == "{PLAIN}new-password")
            #expect(database.entry(for: "user1499") == nil)
            #expect(database.entry(for: "newcomer")?.uid == 3000)
            #expect(database.entry(for: "user1")?.flags == ["nologin"])
            #expect(database.entry(for: "user1498")?.uid == 3498)
            #expect(database.mayServeSCRAM)
            #expect(database.canServe(.sha256))
        }
    }

    @Test("the greeting's facts come from the index: SCRAM-SHA-1 and cleartext entries")
    func facts() {
        let passwd = TemporaryPasswd()
        var lines = TemporaryPasswd.lines(count: 1200)
        lines.append(
            "sha1:{SCRAM-SHA-1}4096,c2FsdA==,AQEBAQEBAQEBAQEBAQEBAQEBAQE=,AQEBAQEBAQEBAQEBAQEBAQEBAQE=:3000:3000::/home/s::"
        )
        passwd.write(lines)
        _ = PasswdDatabase(path: passwd.path)
        let indexed = PasswdDatabase(path: passwd.path)
        #expect(indexed.usesIndex)
        #expect(indexed.mayServeSCRAM && indexed.canServe(.sha1) && !indexed.canServe(.sha256))
        lines.append("clear:{PLAIN}pw:3001:3000::/home/c::")
        passwd.write(lines)
        _ = PasswdDatabase(path: passwd.path)
        let both = PasswdDatabase(path: passwd.path)
        #expect(both.usesIndex && both.canServe(.sha1) && both.canServe(.sha256))
        #expect(
            SASLServer.availableMechanisms(for: both, context: SASLContext()) == [
                "PLAIN", "LOGIN", "SCRAM-SHA-256", "SCRAM-SHA-1",
            ])
    }

    @Test("an unknown user's SCRAM iteration count is the real entries' one whether the file is scanned or indexed")
    func iterationsThroughIndex() {
        let passwd = TemporaryPasswd()
        var lines = TemporaryPasswd.lines(count: 1200)
        let credential = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="
        lines.append("s1:{SCRAM-SHA-256}12000,c2FsdA==,\(credential),\(credential):3000:3000::/home/s::")
        lines.append("s2:{SCRAM-SHA-256}5000,c2FsdA==,\(credential),\(credential):3001:3000::/home/s::")
        passwd.write(lines)
        let whole = PasswdFile(parsing: passwd.bytes(passwd.path))
        #expect(whole.scramIterations(.sha256) == 12000)
        let scanned = PasswdDatabase(path: passwd.path)
        #expect(!scanned.usesIndex)
        let indexed = PasswdDatabase(path: passwd.path)
        #expect(indexed.usesIndex)
        for database in [scanned, indexed] {
            #expect(database.scramIterations(.sha256) == 12000)
            #expect(database.scramIterations(.sha1) == nil)
            let defaults = SASLServer.scramDefaults(for: database, saltKey: Array("k".utf8))
            #expect(defaults.iterations[.sha256] == 12000)
        }
    }

    @Test("duplicates and malformed lines of the user are reported with their line numbers, as without an index")
    func problems() {
        let passwd = TemporaryPasswd()
        var lines = TemporaryPasswd.lines(count: 2000)
        lines.insert("# a comment:with:colons", at: 0)
        lines.append("user5:{PLAIN}second:1:1::/x::")
        lines.append("user7:pw:notanumber:1")
        passwd.write(lines)
        let text = PasswdFile(parsing: passwd.bytes(passwd.path))
        _ = PasswdDatabase(path: passwd.path)
        let database = PasswdDatabase(path: passwd.path)
        #expect(database.usesIndex)
        for user in ["user5", "user7", "user0", "# a comment"] {
            let (entry, problems) = database.lookup(user)
            let (expectedEntry, expectedProblems) = text.lookup(user)
            #expect(entry == expectedEntry)
            #expect(problems.map(\.line) == expectedProblems.map(\.line))
            #expect(problems.map(\.message) == expectedProblems.map(\.message))
        }
        #expect(database.lookup("user5").problems.first?.line == 2002)
    }

    @Test("a damaged, truncated or foreign index is detected, logged and ignored; the answer comes from the file")
    func damagedIndex() throws {
        let passwd = TemporaryPasswd()
        passwd.write(TemporaryPasswd.lines(count: 2000))
        _ = PasswdDatabase(path: passwd.path)
        let good = passwd.bytes(passwd.indexPath)
        var damages: [(String, [UInt8])] = []
        var header = good
        header[72] ^= 1  // record count, covered by the header checksum
        damages.append(("header checksum", header))
        damages.append(("does not match", Array(good.dropLast(32))))
        damages.append(("truncated header", Array(good.prefix(100))))
        var magic = good
        magic[0] = 0x58
        damages.append(("bad magic", magic))
        for (expected, bytes) in damages {
            passwd.overwrite(passwd.indexPath, with: bytes)
            let database = PasswdDatabase(path: passwd.path, writeIndex: false)
            #expect(!database.usesIndex)
            #expect(database.notes.contains { $0.level == .warning && $0.message.contains(expected) })
            #expect(database.entry(for: "user999")?.uid == 2999)
            #expect(database.entry(for: "user0")?.uid == 2000)
        }
        // Every record is checked when read: a damaged one in the lookup's path is noticed and the file scanned.
        for recordIndex in [0, 499, 500, 999] {
            var record = good
            record[128 + recordIndex * 32 + 9] ^= 0x40
            passwd.overwrite(passwd.indexPath, with: record)
            let database = PasswdDatabase(path: passwd.path, writeIndex: false)
            #expect(database.usesIndex)
            for number in 0..<1000 where number % 37 == 0 || number == 999 {
                #expect(database.entry(for: "user\(number)")?.uid == UInt32(2000 + number))
            }
        }
        passwd.overwrite(passwd.indexPath, with: good)
        chmod(passwd.indexPath, 0o666)
        let foreign = PasswdDatabase(path: passwd.path, writeIndex: false)
        #expect(!foreign.usesIndex)
        #expect(foreign.notes.contains { $0.message.contains("writable by group or others") })
        #expect(foreign.entry(for: "user3")?.uid == 2003)
        // Rebuilding replaces it with a trusted one.
        _ = PasswdDatabase(path: passwd.path)
        #expect(PasswdDatabase(path: passwd.path).usesIndex)
    }

    @Test("an unreadable file is an error, not an empty success")
    func unreadable() {
        let database = PasswdDatabase(path: "/nonexistent/managesieved-passwd")
        #expect(database.loadError != nil)
        #expect(database.entry(for: "anyone") == nil)
    }
}
