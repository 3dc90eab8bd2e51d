import Foundation
import Glibc
import Posix
import Testing

@testable import SieveStorage

@Suite("FileScriptStore: operations")
struct FileScriptStoreTests {
    @Test("creates nothing until the first write, then the storage with mode 0700")
    func lazyCreation() throws {
        let home = TemporaryHome()
        let store = try home.store()
        #expect(try store.listScripts() == [])
        #expect(try store.activeScript() == nil)
        #expect(try store.scriptExists("a") == false)
        try store.checkSpace(name: "a", size: 10)
        #expect(!home.exists("sieve"))
        try store.putScript("a", content: bytes("keep;"))
        #expect(home.mode("sieve") == 0o700)
        #expect(home.read("sieve/a.sieve") == "keep;")
    }

    @Test("creates missing parents of the storage like mkdir -p")
    func createsParents() throws {
        let home = TemporaryHome()
        let store = try FileScriptStore(
            storageDirectory: home.path + "/x/y/sieve", activeLinkPath: home.link, quota: QuotaLimits())
        try store.putScript("a", content: bytes("keep;"))
        #expect(home.read("x/y/sieve/a.sieve") == "keep;")
    }

    @Test("put, get, exists, list, replace and delete")
    func roundTrip() throws {
        let home = TemporaryHome()
        let store = try home.store()
        try store.putScript("b", content: bytes("discard;"))
        try store.putScript("a", content: bytes("keep;"))
        #expect(try store.getScript("a") == bytes("keep;"))
        #expect(try store.scriptExists("b"))
        #expect(
            try store.listScripts() == [
                StoredScript(name: "a", isActive: false, size: 5), StoredScript(name: "b", isActive: false, size: 8),
            ])
        try store.putScript("a", content: bytes("stop;  "))
        #expect(try store.getScript("a") == bytes("stop;  "))
        try store.deleteScript("b")
        #expect(try store.scriptExists("b") == false)
        #expect(!home.exists("sieve/b.sieve"))
        #expect(try store.listScripts().map(\.name) == ["a"])
        // No temporary file is left behind.
        #expect(home.entries("sieve") == [".managesieved.lock", "a.sieve"])
    }

    @Test("missing scripts are notFound for get, delete, rename and setActive")
    func missing() throws {
        let home = TemporaryHome()
        let store = try home.store()
        #expect(throws: StorageError.notFound("x")) { try store.getScript("x") }
        try store.putScript("a", content: bytes("keep;"))
        #expect(throws: StorageError.notFound("x")) { try store.getScript("x") }
        #expect(throws: StorageError.notFound("x")) { try store.deleteScript("x") }
        #expect(throws: StorageError.notFound("x")) { try store.renameScript("x", to: "y") }
        #expect(throws: StorageError.notFound("x")) { try store.setActive("x") }
    }

    @Test("a script file larger than any upload (put there by hand) is not read into memory: EFBIG")
    func oversizedFile() throws {
        let home = TemporaryHome()
        let store = try home.store()
        try store.putScript("a", content: bytes("keep;"))
        // Sparse: the size is what counts, not the blocks.
        #expect(truncate(home.path + "/sieve/a.sieve", off_t(FileScriptStore.maxScriptFileSize + 1)) == 0)
        #expect(
            throws: StorageError.io(
                SystemError(
                    operation: "read", path: home.path + "/sieve/a.sieve", errno: EFBIG,
                    detail: "file is \(FileScriptStore.maxScriptFileSize + 1) octets or more, larger than the limit of "
                        + "\(FileScriptStore.maxScriptFileSize)"))
        ) {
            try store.getScript("a")
        }
        #expect(truncate(home.path + "/sieve/a.sieve", off_t(FileScriptStore.maxScriptFileSize)) == 0)
        #expect(try store.getScript("a").count == FileScriptStore.maxScriptFileSize)
    }

    @Test("listing ignores other files, directories, links and temporary files")
    func listingIgnoresOthers() throws {
        let home = TemporaryHome()
        let store = try home.store()
        try store.putScript("real", content: bytes("keep;"))
        home.write("sieve/README", "x")
        home.write("sieve/notes.txt", "x")
        home.write("sieve/.sieve", "x")
        home.write("sieve/.real.sieve.1.0123456789abcdef.tmp", "x")
        home.write("sieve/sub.sieve/inner.sieve", "x")
        home.symlink("sieve/link.sieve", to: "real.sieve")
        #expect(try store.listScripts().map(\.name) == ["real"])
        #expect(try store.scriptExists("link") == false)
        #expect(try store.scriptExists("sub") == false)
    }

    @Test("names '.', '..' and '.hidden' are stored safely inside the storage", arguments: [".", "..", ".hidden"])
    func dotNames(name: String) throws {
        let home = TemporaryHome()
        let store = try home.store()
        try store.putScript(name, content: bytes("keep; # \(name)"))
        #expect(home.read("sieve/\(name).sieve") == "keep; # \(name)")
        #expect(try store.getScript(name) == bytes("keep; # \(name)"))
        #expect(try store.listScripts().map(\.name) == [name])
        try store.setActive(name)
        #expect(home.readLink(".dovecot.sieve") == "sieve/\(name).sieve")
        #expect(try store.activeScript() == name)
        try store.setActive(nil)
        try store.deleteScript(name)
        #expect(try store.listScripts() == [])
        #expect(home.entries("") == ["sieve"])
    }

    @Test("names that could escape the directory are refused", arguments: ["", "a/b", "/", "../x", "a\u{0}b"])
    func invalidNames(name: String) throws {
        let home = TemporaryHome()
        let store = try home.store()
        #expect(throws: StorageError.invalidName(name)) { try store.putScript(name, content: bytes("keep;")) }
        #expect(throws: StorageError.invalidName(name)) { try store.getScript(name) }
        #expect(throws: StorageError.invalidName(name)) { try store.setActive(name) }
        #expect(throws: StorageError.invalidName(name)) { try store.renameScript("a", to: name) }
        #expect(!home.exists("sieve"))
    }

    @Test("reports its paths normalised")
    func paths() throws {
        let store = try FileScriptStore(
            storageDirectory: "/home/u//sieve/", activeLinkPath: "/home/u/./.dovecot.sieve", quota: QuotaLimits())
        #expect(store.storageDirectory == "/home/u/sieve")
        #expect(store.activeLinkPath == "/home/u/.dovecot.sieve")
    }

    @Test("relative storage or link paths are refused")
    func relativePaths() throws {
        #expect(throws: StorageError.self) {
            try FileScriptStore(
                storageDirectory: "sieve", activeLinkPath: "/tmp/x/.dovecot.sieve", quota: QuotaLimits())
        }
        #expect(throws: StorageError.self) {
            try FileScriptStore(
                storageDirectory: "/tmp/x/sieve", activeLinkPath: ".dovecot.sieve", quota: QuotaLimits())
        }
    }
}

@Suite("FileScriptStore: the active link")
struct ActiveLinkTests {
    @Test("SETACTIVE makes a relative link, replaces it, and nil removes it")
    func activate() throws {
        let home = TemporaryHome()
        let store = try home.store()
        try store.putScript("a", content: bytes("keep;"))
        try store.putScript("b", content: bytes("keep;"))
        try store.setActive("a")
        #expect(home.isSymbolicLink(".dovecot.sieve"))
        #expect(home.readLink(".dovecot.sieve") == "sieve/a.sieve")
        #expect(try store.activeScript() == "a")
        #expect(try store.listScripts().map(\.isActive) == [true, false])
        try store.setActive("b")
        #expect(home.readLink(".dovecot.sieve") == "sieve/b.sieve")
        #expect(try store.listScripts().map(\.isActive) == [false, true])
        try store.setActive(nil)
        #expect(!home.exists(".dovecot.sieve"))
        #expect(try store.activeScript() == nil)
        try store.setActive(nil)
        // Only the link was ever made in the home directory: no temporary links are left.
        #expect(home.entries("") == ["sieve"])
    }

    @Test("the link target is relative from the link's directory wherever the storage is")
    func linkElsewhere() throws {
        let home = TemporaryHome()
        let store = try FileScriptStore(
            storageDirectory: home.path + "/data/u/scripts", activeLinkPath: home.path + "/home/u/.dovecot.sieve",
            quota: QuotaLimits())
        try store.putScript("a", content: bytes("keep;"))
        try store.setActive("a")
        #expect(home.readLink("home/u/.dovecot.sieve") == "../../data/u/scripts/a.sieve")
        #expect(home.read("home/u/.dovecot.sieve") == "keep;")
        #expect(try store.activeScript() == "a")
    }

    @Test("an absolute link into the storage counts as active")
    func absoluteLink() throws {
        let home = TemporaryHome()
        let store = try home.store()
        try store.putScript("a", content: bytes("keep;"))
        home.symlink(".dovecot.sieve", to: home.storage + "/a.sieve")
        #expect(try store.activeScript() == "a")
    }

    @Test("deleting the active script is refused with isActive")
    func deleteActive() throws {
        let home = TemporaryHome()
        let store = try home.store()
        try store.putScript("a", content: bytes("keep;"))
        try store.setActive("a")
        #expect(throws: StorageError.isActive("a")) { try store.deleteScript("a") }
        #expect(home.read("sieve/a.sieve") == "keep;")
    }

    @Test("a dangling link means no active script and is not written through")
    func danglingLink() throws {
        let home = TemporaryHome()
        let store = try home.store()
        try store.putScript("a", content: bytes("keep;"))
        home.symlink(".dovecot.sieve", to: "sieve/gone.sieve")
        #expect(try store.activeScript() == nil)
        #expect(try store.listScripts().map(\.isActive) == [false])
        try store.deleteScript("a")
        try store.setActive(nil)
        #expect(!home.exists(".dovecot.sieve"))
    }

    @Test(
        "a link outside the storage means no active script and is never written through",
        arguments: ["other/a.sieve", "sieve/../other/a.sieve", "sieve/sub/a.sieve"])
    func foreignLink(target: String) throws {
        let home = TemporaryHome()
        home.write("other/a.sieve", "foreign")
        home.write("sieve/sub/a.sieve", "nested")
        let store = try home.store()
        home.symlink(".dovecot.sieve", to: target)
        #expect(try store.activeScript() == nil)
        try store.putScript("a", content: bytes("mine"))
        #expect(try store.listScripts() == [StoredScript(name: "a", isActive: false, size: 4)])
        try store.deleteScript("a")
        #expect(home.read("other/a.sieve") == "foreign")
        #expect(home.read("sieve/sub/a.sieve") == "nested")
        try store.putScript("b", content: bytes("mine"))
        try store.setActive("b")
        #expect(home.readLink(".dovecot.sieve") == "sieve/b.sieve")
        #expect(home.read("other/a.sieve") == "foreign")
    }

    @Test("a pre-existing regular ~/.dovecot.sieve is rescued as dovecot.orig and made active")
    func migration() throws {
        let home = TemporaryHome()
        let original = "require \"fileinto\";\nfileinto \"old\";\n"
        home.write(".dovecot.sieve", original)
        let store = try home.store()
        #expect(
            try store.listScripts() == [StoredScript(name: "dovecot.orig", isActive: true, size: original.utf8.count)])
        #expect(home.isSymbolicLink(".dovecot.sieve"))
        #expect(home.readLink(".dovecot.sieve") == "sieve/dovecot.orig.sieve")
        #expect(home.read("sieve/dovecot.orig.sieve") == "require \"fileinto\";\nfileinto \"old\";\n")
        #expect(try store.getScript("dovecot.orig") == bytes("require \"fileinto\";\nfileinto \"old\";\n"))
    }

    @Test("the rescue picks a free name and ignores quota", arguments: [0, 1, 2])
    func migrationFreeName(taken: Int) throws {
        let home = TemporaryHome()
        if taken >= 1 { home.write("sieve/dovecot.orig.sieve", "first") }
        if taken >= 2 { home.write("sieve/dovecot.orig-2.sieve", "second") }
        home.write(".dovecot.sieve", "rescued")
        let store = try home.store(QuotaLimits(maxScripts: 1))
        let expected = ["dovecot.orig", "dovecot.orig-2", "dovecot.orig-3"][taken]
        #expect(try store.activeScript() == expected)
        #expect(try store.getScript(expected) == bytes("rescued"))
        #expect(try store.listScripts().count == taken + 1)
        if taken >= 1 { #expect(home.read("sieve/dovecot.orig.sieve") == "first") }
    }

    @Test("the rescue also happens when the first operation is a write")
    func migrationOnWrite() throws {
        let home = TemporaryHome()
        home.write(".dovecot.sieve", "rescued")
        let store = try home.store()
        try store.setActive(nil)
        #expect(!home.exists(".dovecot.sieve"))
        #expect(try store.getScript("dovecot.orig") == bytes("rescued"))
    }

    @Test("renaming the active script keeps it active")
    func renameActive() throws {
        let home = TemporaryHome()
        let store = try home.store()
        try store.putScript("a", content: bytes("keep;"))
        try store.setActive("a")
        try store.renameScript("a", to: "b")
        #expect(try store.activeScript() == "b")
        #expect(home.readLink(".dovecot.sieve") == "sieve/b.sieve")
        #expect(!home.exists("sieve/a.sieve"))
        #expect(try store.listScripts() == [StoredScript(name: "b", isActive: true, size: 5)])
    }

    @Test("renaming an inactive script, and onto an existing name")
    func rename() throws {
        let home = TemporaryHome()
        let store = try home.store()
        try store.putScript("a", content: bytes("A"))
        try store.putScript("b", content: bytes("B"))
        try store.setActive("b")
        #expect(throws: StorageError.alreadyExists("b")) { try store.renameScript("a", to: "b") }
        #expect(throws: StorageError.alreadyExists("a")) { try store.renameScript("b", to: "a") }
        #expect(try store.getScript("a") == bytes("A"))
        #expect(try store.getScript("b") == bytes("B"))
        try store.renameScript("a", to: "c")
        #expect(try store.getScript("c") == bytes("A"))
        #expect(try store.scriptExists("a") == false)
        #expect(try store.activeScript() == "b")
    }
}

@Suite("FileScriptStore: links planted in the storage")
struct PlantedLinkTests {
    @Test("a script file replaced by a link to /etc/passwd is not followed")
    func scriptReplacedByLink() throws {
        let home = TemporaryHome()
        home.write("secret", "top secret")
        let store = try home.store()
        try store.putScript("a", content: bytes("keep;"))
        try FileManager.default.removeItem(atPath: home.storage + "/a.sieve")
        home.symlink("sieve/a.sieve", to: "/etc/passwd")
        home.symlink("sieve/b.sieve", to: home.path + "/secret")
        #expect(throws: StorageError.notFound("a")) { try store.getScript("a") }
        #expect(throws: StorageError.notFound("b")) { try store.getScript("b") }
        #expect(try store.listScripts() == [])
        #expect(throws: StorageError.notFound("b")) { try store.setActive("b") }
        // Writing replaces the link itself; its target is untouched.
        try store.putScript("b", content: bytes("mine"))
        #expect(home.read("secret") == "top secret")
        #expect(!home.isSymbolicLink("sieve/b.sieve"))
        #expect(try store.getScript("b") == bytes("mine"))
        // Deleting a planted link is a notFound (not a script), and nothing outside changes.
        #expect(throws: StorageError.notFound("a")) { try store.deleteScript("a") }
    }

    @Test("a FIFO named like a script does not block a read")
    func fifo() throws {
        let home = TemporaryHome()
        let store = try home.store()
        try store.putScript("a", content: bytes("keep;"))
        #expect(mkfifo(home.storage + "/f.sieve", 0o600) == 0)
        #expect(throws: StorageError.notFound("f")) { try store.getScript("f") }
        #expect(try store.listScripts().map(\.name) == ["a"])
    }

    @Test("lists in the byte order of the names' UTF-8, past a long shared prefix too, with or without sizes")
    func listingOrder() throws {
        let home = TemporaryHome()
        let store = try home.store()
        let names = [
            "b", "a", "aaaaaaaaaaaaaaaaZ", "aaaaaaaaaaaaaaaa", "aaaaaaaaaaaaaaaaA", "aaaaaaaaaaaaaaaaAb", "é", "z", "Z",
            "aaaaaaaa", "aaaaaaaab", "aaaaaaa", "e\u{301}", "日本", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        ]
        for name in names { try store.putScript(name, content: bytes(name)) }
        try store.setActive("aaaaaaaaaaaaaaaaA")
        let expected = names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        #expect(try store.listScripts().map(\.name) == expected)
        #expect(try store.listScripts().map(\.size) == expected.map(\.utf8.count))
        #expect(
            try store.listScriptNames()
                == expected.map { ListedScript(name: $0, isActive: $0 == "aaaaaaaaaaaaaaaaA") })
    }

    @Test("a link or a directory named like a script is listed by neither listing")
    func listingSkipsLinksAndDirectories() throws {
        let home = TemporaryHome()
        let store = try home.store()
        try store.putScript("a", content: bytes("keep;"))
        home.symlink("sieve/l.sieve", to: "a.sieve")
        #expect(mkdir(home.storage + "/d.sieve", 0o700) == 0)
        #expect(try store.listScripts().map(\.name) == ["a"])
        #expect(try store.listScriptNames() == [ListedScript(name: "a", isActive: false)])
    }
}

@Suite("FileScriptStore: quota")
struct QuotaTests {
    @Test("maxScriptSize refuses a larger script before writing anything")
    func maxSize() throws {
        let home = TemporaryHome()
        let store = try home.store(QuotaLimits(maxScriptSize: 10))
        #expect(throws: StorageError.quotaExceeded(.maxSize, limit: 10)) {
            try store.putScript("a", content: Array(repeating: 0x41, count: 11))
        }
        #expect(throws: StorageError.quotaExceeded(.maxSize, limit: 10)) { try store.checkSpace(name: "a", size: 11) }
        #expect(!home.exists("sieve/a.sieve"))
        try store.putScript("a", content: Array(repeating: 0x41, count: 10))
        try store.checkSpace(name: "b", size: 10)
    }

    @Test("maxScripts counts only new names")
    func maxScripts() throws {
        let home = TemporaryHome()
        let store = try home.store(QuotaLimits(maxScripts: 2))
        try store.putScript("a", content: bytes("A"))
        try store.putScript("b", content: bytes("B"))
        #expect(throws: StorageError.quotaExceeded(.maxScripts, limit: 2)) {
            try store.putScript("c", content: bytes("C"))
        }
        #expect(throws: StorageError.quotaExceeded(.maxScripts, limit: 2)) { try store.checkSpace(name: "c", size: 1) }
        #expect(!home.exists("sieve/c.sieve"))
        try store.checkSpace(name: "a", size: 100)
        try store.putScript("a", content: bytes("AA"))
        #expect(try store.getScript("a") == bytes("AA"))
        try store.deleteScript("b")
        try store.putScript("c", content: bytes("C"))
    }

    @Test("maxStorage sums all scripts; replacing counts only the difference")
    func maxStorage() throws {
        let home = TemporaryHome()
        let store = try home.store(QuotaLimits(maxStorage: 100))
        try store.putScript("a", content: Array(repeating: 0x41, count: 60))
        try store.putScript("b", content: Array(repeating: 0x42, count: 30))
        #expect(throws: StorageError.quotaExceeded(.maxStorage, limit: 100)) {
            try store.putScript("c", content: Array(repeating: 0x43, count: 11))
        }
        #expect(throws: StorageError.quotaExceeded(.maxStorage, limit: 100)) {
            try store.checkSpace(name: "c", size: 11)
        }
        try store.checkSpace(name: "c", size: 10)
        // Replacing a (60) with 70 makes 100 in all: fits; 71 does not.
        try store.checkSpace(name: "a", size: 70)
        #expect(throws: StorageError.quotaExceeded(.maxStorage, limit: 100)) {
            try store.putScript("a", content: Array(repeating: 0x41, count: 71))
        }
        #expect(try store.getScript("a").count == 60)
        try store.putScript("a", content: Array(repeating: 0x41, count: 70))
        #expect(try store.listScripts().map(\.size) == [70, 30])
    }

    @Test("HAVESPACE with a huge size is refused, not a crash")
    func hugeSize() throws {
        let home = TemporaryHome()
        let store = try home.store(QuotaLimits(maxStorage: 100))
        try store.putScript("a", content: bytes("keep;"))
        #expect(throws: StorageError.quotaExceeded(.maxStorage, limit: 100)) {
            try store.checkSpace(name: "b", size: .max)
        }
        #expect(throws: StorageError.quotaExceeded(.maxStorage, limit: 100)) {
            try store.checkSpace(name: "a", size: .max)
        }
        try home.store().checkSpace(name: "b", size: .max)
    }

    @Test("files that are not scripts do not count")
    func otherFilesFree() throws {
        let home = TemporaryHome()
        let store = try home.store(QuotaLimits(maxScripts: 1, maxStorage: 10))
        home.write("sieve/big.txt", String(repeating: "x", count: 1000))
        home.write("sieve/other.txt", "x")
        try store.putScript("a", content: Array(repeating: 0x41, count: 10))
    }

    @Test("links and directories named like scripts do not count; neither do leftover temporary files")
    func linksFree() throws {
        let home = TemporaryHome()
        let store = try home.store(QuotaLimits(maxScripts: 2, maxStorage: 10))
        try store.putScript("a", content: Array(repeating: 0x41, count: 5))
        home.write("outside", String(repeating: "x", count: 1000))
        home.symlink("sieve/l.sieve", to: "../outside")
        #expect(mkdir(home.storage + "/d.sieve", 0o700) == 0)
        home.write("sieve/.x.1.0123456789abcdef.tmp", String(repeating: "x", count: 1000))
        try store.checkSpace(name: "b", size: 5)
        try store.putScript("b", content: Array(repeating: 0x42, count: 5))
        #expect(throws: StorageError.quotaExceeded(.maxScripts, limit: 2)) { try store.checkSpace(name: "c", size: 0) }
        #expect(throws: StorageError.quotaExceeded(.maxStorage, limit: 10)) { try store.checkSpace(name: "a", size: 6) }
    }
}
