import Foundation
import Glibc
import Posix
import Testing

@testable import SieveStorage

@Suite("FileScriptStore: version history")
struct HistoryTests {
    static let history = ".managesieved.history"

    func store(
        _ home: TemporaryHome, versions: Int = 10, size: UInt64 = 1 << 20, quota: QuotaLimits = QuotaLimits()
    ) throws -> FileScriptStore {
        try FileScriptStore(
            storageDirectory: home.storage, activeLinkPath: home.link, quota: quota, lockTimeoutMilliseconds: 2_000,
            history: HistoryLimits(maxVersions: versions, maxTotalSize: size))
    }

    func contents(_ store: FileScriptStore, _ name: String) throws -> [String] {
        try store.history(of: name).map {
            String(decoding: try store.historyContent(of: name, version: $0.id), as: UTF8.self)
        }
    }

    @Test("a replaced and a deleted script are kept, newest first, with which was active")
    func keepsReplacedAndDeleted() throws {
        let home = TemporaryHome()
        let store = try store(home)
        try store.putScript("a", content: bytes("keep; # 1"))
        tick()
        #expect(try store.history(of: "a") == [])
        try store.setActive("a")
        try store.putScript("a", content: bytes("keep; # 2"))
        tick()
        try store.setActive(nil)
        try store.putScript("a", content: bytes("keep; # 3"))
        tick()
        try store.deleteScript("a")
        tick()
        let versions = try store.history(of: "a")
        #expect(versions.map(\.wasActive) == [false, false, true])
        #expect(versions.map(\.wasDeleted) == [true, false, false])
        #expect(versions.map(\.size) == [9, 9, 9])
        #expect(try contents(store, "a") == ["keep; # 3", "keep; # 2", "keep; # 1"])
        #expect(versions.map(\.retiredAt) == versions.map(\.retiredAt).sorted(by: >))
        // Invisible to the script list, and the storage holds only the history directory and the lock.
        #expect(try store.listScripts() == [])
        #expect(home.entries("sieve") == [Self.history, ".managesieved.lock"])
    }

    @Test("a version is the retired file itself, hard-linked and synced before the rename: no temporary file")
    func atomicWrite() throws {
        let home = TemporaryHome()
        let store = try store(home)
        try store.putScript("a", content: bytes("keep; # old"))
        tick()
        var before = stat()
        #expect(lstat(home.storage + "/a.sieve", &before) == 0)
        try store.putScript("a", content: bytes("keep; # new"))
        tick()
        let versionDirectory = Self.history + "/a.sieve"
        let names = home.entries("sieve/" + versionDirectory)
        #expect(names.count == 1 && names[0].hasSuffix("-replaced"))
        var kept = stat()
        #expect(lstat(home.storage + "/" + versionDirectory + "/" + names[0], &kept) == 0)
        #expect(kept.st_ino == before.st_ino && kept.st_nlink == 1)
        #expect(home.mode("sieve/" + Self.history) == 0o700)
        #expect(home.read("sieve/a.sieve") == "keep; # new")
    }

    @Test("at most max_versions per script, the oldest pruned first")
    func pruneByCount() throws {
        let home = TemporaryHome()
        let store = try store(home, versions: 3)
        for n in 0..<7 { try store.putScript("a", content: bytes("keep; # \(n)")) }
        try store.putScript("b", content: bytes("keep; # b0"))
        tick()
        try store.putScript("b", content: bytes("keep; # b1"))
        tick()
        #expect(try contents(store, "a") == ["keep; # 5", "keep; # 4", "keep; # 3"])
        #expect(try contents(store, "b") == ["keep; # b0"])
    }

    @Test("at most max_size octets over all scripts, the oldest pruned first, and never failing an upload")
    func pruneBySize() throws {
        let home = TemporaryHome()
        let store = try store(home, versions: 100, size: 25)
        try store.putScript("a", content: bytes("keep; # a0"))  // 10 octets each
        try store.putScript("a", content: bytes("keep; # a1"))
        tick()
        try store.putScript("b", content: bytes("keep; # b0"))
        tick()
        try store.putScript("b", content: bytes("keep; # b1"))
        tick()
        try store.putScript("a", content: bytes("keep; # a2"))
        tick()
        // a0, b0, a1 retired in that order; 30 octets > 25, so a0 went.
        #expect(try contents(store, "a") == ["keep; # a1"])
        #expect(try contents(store, "b") == ["keep; # b0"])
        // A version larger than the whole bound is not kept at all, and the upload succeeds.
        let big = "keep;" + String(repeating: " ", count: 40)
        try store.putScript("c", content: bytes(big))
        tick()
        try store.putScript("c", content: bytes("keep;"))
        tick()
        #expect(try store.history(of: "c") == [])
        #expect(try store.getScript("c") == bytes("keep;"))
        let total = try store.history().reduce(UInt64(0)) { $0 + $1.size }
        #expect(total <= 25)
    }

    @Test("RENAMESCRIPT carries the history along, also onto a name with history of its own")
    func renameCarriesHistory() throws {
        let home = TemporaryHome()
        let store = try store(home)
        try store.putScript("a", content: bytes("keep; # a1"))
        tick()
        try store.putScript("a", content: bytes("keep; # a2"))
        tick()
        try store.renameScript("a", to: "b")
        #expect(try store.history(of: "a") == [])
        #expect(try contents(store, "b") == ["keep; # a1"])
        // An earlier script named c was deleted; a renamed onto c merges both.
        try store.putScript("c", content: bytes("keep; # c1"))
        tick()
        try store.deleteScript("c")
        tick()
        try store.setActive("b")
        try store.putScript("b", content: bytes("keep; # a3"))
        tick()
        try store.renameScript("b", to: "c")
        #expect(try contents(store, "c") == ["keep; # a2", "keep; # c1", "keep; # a1"])
        #expect(try store.activeScript() == "c")
        #expect(!home.exists("sieve/" + Self.history + "/b.sieve"))
    }

    @Test("0 turns it off: no history directory is made")
    func zeroIsOff() throws {
        for (versions, size): (Int, UInt64) in [(0, 1 << 20), (10, 0)] {
            let home = TemporaryHome()
            let store = try store(home, versions: versions, size: size)
            try store.putScript("a", content: bytes("keep; # 1"))
            tick()
            try store.putScript("a", content: bytes("keep; # 2"))
            tick()
            try store.deleteScript("a")
            tick()
            #expect(!home.exists("sieve/" + Self.history))
            #expect(try store.history() == [])
        }
    }

    @Test("kept versions do not count against the quota")
    func quotaNotAffected() throws {
        let home = TemporaryHome()
        let store = try store(home, quota: QuotaLimits(maxScripts: 1, maxStorage: 12))
        for n in 0..<5 { try store.putScript("a", content: bytes("keep; # \(n)")) }
        try store.checkSpace(name: "a", size: 12)
        #expect(throws: StorageError.quotaExceeded(.maxStorage, limit: 12)) {
            try store.checkSpace(name: "a", size: 13)
        }
        #expect(try store.history(of: "a").count == 4)
        try store.deleteScript("a")
        tick()
        // The deleted script's versions do not take the one script slot either.
        try store.putScript("b", content: bytes("keep; # 12oc"))
        tick()
        #expect(try store.listScripts().map(\.name) == ["b"])
    }

    @Test("a link in place of the history directory, a script's directory or a version is refused")
    func symlinksRefused() throws {
        let home = TemporaryHome()
        let outside = TemporaryHome()
        var problems: [String] = []
        let store = try store(home)
        store.historyProblem = { problems.append($0) }
        try store.putScript("a", content: bytes("keep; # 1"))
        tick()
        home.symlink("sieve/" + Self.history, to: outside.path)
        try store.putScript("a", content: bytes("keep; # 2"))  // the upload itself succeeds
        #expect(try store.getScript("a") == bytes("keep; # 2"))
        #expect(outside.entries("") == [])
        #expect(problems.count == 1)
        #expect(throws: StorageError.self) { try store.history() }
        // A real history directory whose script directory is a link.
        #expect(unlink(home.storage + "/" + Self.history) == 0)
        #expect(mkdir(home.storage + "/" + Self.history, 0o700) == 0)
        home.symlink("sieve/" + Self.history + "/a.sieve", to: outside.path)
        try store.putScript("a", content: bytes("keep; # 3"))
        tick()
        #expect(outside.entries("") == [])
        #expect(problems.count == 2)
        // A version that is a link to a file elsewhere is neither listed nor read.
        #expect(unlink(home.storage + "/" + Self.history + "/a.sieve") == 0)
        outside.write("secret", "keep; # secret")
        #expect(mkdir(home.storage + "/" + Self.history + "/a.sieve", 0o700) == 0)
        let id = "00000000000000000001-replaced"
        home.symlink("sieve/" + Self.history + "/a.sieve/" + id, to: outside.path + "/secret")
        #expect(try store.history(of: "a") == [])
        #expect(throws: StorageError.notFound("a (\(id))")) { try store.historyContent(of: "a", version: id) }
        #expect(throws: StorageError.notFound("a (../../a.sieve)")) {
            try store.historyContent(of: "a", version: "../../a.sieve")
        }
    }
}

/// Versions retired within the same millisecond have the same time; the tests that check the order wait.
func tick() { usleep(2_000) }
