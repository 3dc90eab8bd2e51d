import Auth
import Testing

/// What stays of the passwd-file after the privilege drop (`keepOnly`).
@Suite("PasswdFile keepOnly")
struct PasswdFileKeepOnlyTests {
    /// A fresh array each time: `keepOnly` zeroes the storage it was given, whoever else holds it.
    static var text: [UInt8] {
        Array(
            """
            alice:{PLAIN}alice-secret:1500:1500::/home/alice::
            bob:{PLAIN}bob-secret:1501:1501::/home/bob::
            alice:{PLAIN}duplicate:1500:1500::/home/alice::

            """.utf8)
    }

    @Test("keeps the user's lines, zeroes the whole text in place for every holder, and still finds the user")
    func keepsOnlyTheUser() {
        let holder = Self.text
        var file = PasswdFile(parsing: holder)
        file.keepOnly("alice")
        #expect(holder.allSatisfy { $0 == 0 })
        #expect(file.entry(for: "alice")?.password == "{PLAIN}alice-secret")
        #expect(file.entry(for: "bob") == nil)
        #expect(file.lookup("alice").problems.count == 1)
    }

    @Test("the database over a text keeps the user only")
    func databaseKeepsOnlyTheUser() {
        let holder = Self.text
        let database = PasswdDatabase(text: holder)
        database.keepOnly("bob")
        #expect(holder.allSatisfy { $0 == 0 })
        #expect(database.entry(for: "bob")?.uid == 1501)
        #expect(database.entry(for: "alice") == nil)
    }
}
