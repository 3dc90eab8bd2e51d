import Foundation
import Glibc
import Posix
import Testing

@testable import SieveStorage

@Suite("FileScriptStore: read-only (the admin tool's list/get/recheck)")
struct ReadOnlyStoreTests {
    func entries(_ home: TemporaryHome) -> [String] {
        (FileManager.default.enumerator(atPath: home.path)?.allObjects as? [String] ?? []).sorted()
    }

    @Test("reads a store with a regular file at the active link's place without rescuing it or locking")
    func readsWithoutWriting() throws {
        let home = TemporaryHome()
        home.write("sieve/a.sieve", "keep;")
        home.write(".dovecot.sieve", "discard;")
        let before = entries(home)
        let store = try FileScriptStore(
            storageDirectory: home.storage, activeLinkPath: home.link, quota: QuotaLimits(), readOnly: true)
        #expect(try store.listScripts() == [StoredScript(name: "a", isActive: false, size: 5)])
        #expect(try store.getScript("a") == bytes("keep;"))
        #expect(try store.activeScript() == nil)
        #expect(try store.regularFileAtActiveLink() == bytes("discard;"))
        #expect(entries(home) == before)
        #expect(!home.isSymbolicLink(".dovecot.sieve"))
        // A writable store of the same home rescues the file at its first operation.
        let writable = try home.store()
        #expect(try writable.activeScript() == "dovecot.orig")
        #expect(try writable.regularFileAtActiveLink() == nil)
    }

    @Test("a missing storage is an empty list, and stays missing")
    func missingStorage() throws {
        let home = TemporaryHome()
        let store = try FileScriptStore(
            storageDirectory: home.storage, activeLinkPath: home.link, quota: QuotaLimits(), readOnly: true)
        #expect(try store.listScripts() == [])
        #expect(throws: StorageError.notFound("a")) { try store.getScript("a") }
        #expect(!home.exists("sieve"))
    }

    @Test("every mutation fails with EROFS and writes nothing")
    func mutationsFail() throws {
        let home = TemporaryHome()
        home.write("sieve/a.sieve", "keep;")
        let before = entries(home)
        let store = try FileScriptStore(
            storageDirectory: home.storage, activeLinkPath: home.link, quota: QuotaLimits(), readOnly: true)
        func expectRefused(_ body: () throws -> Void) {
            do {
                try body()
                Issue.record("a read-only store wrote")
            } catch let error as StorageError {
                guard case .io(let failure) = error else {
                    Issue.record("unexpected \(error)")
                    return
                }
                #expect(failure.errno == EROFS)
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
        expectRefused { try store.putScript("b", content: bytes("keep;")) }
        expectRefused { try store.deleteScript("a") }
        expectRefused { try store.renameScript("a", to: "c") }
        expectRefused { try store.setActive("a") }
        expectRefused { try store.setActive(nil) }
        #expect(entries(home) == before)
    }
}
