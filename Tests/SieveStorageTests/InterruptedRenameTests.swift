import Glibc
import Testing

@testable import SieveStorage

/// RENAMESCRIPT of the active script is link → swap the active link → unlink. A crash (kill -9) inside that
/// window must still look like the before or the after state, and the next write cleans up.
@Suite("Interrupted rename of the active script")
struct InterruptedRenameTests {
    /// Builds the state a crash leaves: "old" active, and "new" a second name of the same file; with
    /// `swapped`, the active link already points at "new".
    func crashedRename(swapped: Bool) throws -> (TemporaryHome, FileScriptStore) {
        let home = TemporaryHome()
        let store = try home.store()
        try store.putScript("old", content: bytes("keep;\n"))
        try store.setActive("old")
        #expect(link(home.storage + "/old.sieve", home.storage + "/new.sieve") == 0)
        if swapped {
            #expect(unlink(home.link) == 0)
            home.symlink(".dovecot.sieve", to: "sieve/new.sieve")
        }
        return (home, try home.store())
    }

    @Test("killed after the new name was linked: readers see the before state; the next write removes the extra name")
    func beforeSwap() throws {
        let (home, store) = try crashedRename(swapped: false)
        #expect(try store.listScripts().map(\.name) == ["old"])
        #expect(try store.activeScript() == "old")
        #expect(throws: StorageError.notFound("new")) { try store.getScript("new") }
        #expect(try store.scriptExists("new") == false)
        try store.putScript("other", content: bytes("stop;\n"))
        #expect(!home.exists("sieve/new.sieve"))
        #expect(home.read("sieve/old.sieve") == "keep;\n")
        #expect(try store.listScripts().map(\.name) == ["old", "other"])
    }

    @Test("killed after the link swap: readers see the after state; the next write removes the old name")
    func afterSwap() throws {
        let (home, store) = try crashedRename(swapped: true)
        #expect(try store.listScripts().map { "\($0.name)\($0.isActive ? "*" : "")" } == ["new*"])
        #expect(throws: StorageError.notFound("old")) { try store.getScript("old") }
        try store.setActive("new")
        #expect(!home.exists("sieve/old.sieve"))
        #expect(home.read("sieve/new.sieve") == "keep;\n")
        #expect(home.readLink(".dovecot.sieve") == "sieve/new.sieve")
    }

    @Test("two names of an inactive file are left alone")
    func inactiveHardLinks() throws {
        let home = TemporaryHome()
        let store = try home.store()
        try store.putScript("a", content: bytes("keep;\n"))
        #expect(link(home.storage + "/a.sieve", home.storage + "/b.sieve") == 0)
        try store.putScript("c", content: bytes("keep;\n"))
        #expect(try store.listScripts().map(\.name) == ["a", "b", "c"])
    }
}
