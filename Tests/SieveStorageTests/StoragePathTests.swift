import Testing

@testable import SieveStorage

@Suite("StoragePath")
struct StoragePathTests {
    @Test(
        "normalises absolute paths lexically",
        arguments: [
            ("/home/u/sieve", "/home/u/sieve"), ("/home//u/./sieve/", "/home/u/sieve"), ("/home/u/../v", "/home/v"),
            ("/..", "/"), ("/", "/"),
        ])
    func normalize(input: String, expected: String) {
        #expect(StoragePath.normalize(input) == expected)
    }

    @Test("refuses relative paths")
    func relative() {
        #expect(StoragePath.normalize("sieve") == nil)
        #expect(StoragePath.normalize("") == nil)
    }

    @Test(
        "computes the relative prefix from the link's directory to the storage",
        arguments: [
            ("/home/u", "/home/u/sieve", "sieve/"), ("/home/u", "/home/u", ""),
            ("/home/u", "/var/sieve/u", "../../var/sieve/u/"), ("/home/u/sub", "/home/u/sieve", "../sieve/"),
            ("/", "/sieve", "sieve/"),
        ])
    func relativePrefix(from: String, to: String, expected: String) {
        #expect(StoragePath.relativePrefix(from: from, to: to) == expected)
    }

    @Test("splits into directory and name")
    func split() {
        #expect(StoragePath.split("/home/u/.dovecot.sieve")! == ("/home/u", ".dovecot.sieve"))
        #expect(StoragePath.split("/x")! == ("/", "x"))
        #expect(StoragePath.split("/") == nil)
    }
}
