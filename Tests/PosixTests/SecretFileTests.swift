import Glibc
import Testing

@testable import Posix

@Suite("SecretFile")
struct SecretFileTests {
    @Test("made once (0600, in a 0700 directory it creates), then read back unchanged by every later caller")
    func createThenRead() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("state/scram-secret")
        var made = 0
        let first = try SecretFile.loadOrCreate(path: path, minimumLength: 16) {
            made += 1
            return [UInt8](repeating: 0x41, count: 32)
        }
        let second = try SecretFile.loadOrCreate(path: path, minimumLength: 16) {
            made += 1
            return [UInt8](repeating: 0x42, count: 32)
        }
        #expect(first == [UInt8](repeating: 0x41, count: 32))
        #expect(second == first)
        #expect(made == 1)
        var status = stat()
        #expect(stat(path, &status) == 0)
        #expect(status.st_mode & 0o777 == 0o600)
        #expect(stat(directory.file("state"), &status) == 0)
        #expect(status.st_mode & 0o777 == 0o700)
        // No temporary file is left behind.
        #expect(!FileRead.exists(path + ".\(getpid()).tmp"))
    }

    @Test("a file too short to be a secret is refused")
    func tooShort() throws {
        let directory = TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.file("secret")
        _ = try SecretFile.loadOrCreate(path: path, minimumLength: 1) { [1, 2, 3] }
        #expect(throws: SystemError.self) { try SecretFile.loadOrCreate(path: path, minimumLength: 16) { [] } }
    }
}
