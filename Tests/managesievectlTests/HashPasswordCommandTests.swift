import Auth
import Foundation
import Testing

/// Runs the built `managesievectl` (it sits beside the test bundle in the build folder).
private func runHashPassword(arguments: [String], input: String) throws -> (status: Int32, output: String) {
    let buildFolder = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        .deletingLastPathComponent()
    let process = Process()
    process.executableURL = buildFolder.appendingPathComponent("managesievectl")
    process.arguments = ["hash-password"] + arguments
    let stdin = Pipe()
    let stdout = Pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    process.standardError = FileHandle.nullDevice
    // The tool may exit before reading (a bad option): its closed pipe must not kill the test process.
    signal(SIGPIPE, SIG_IGN)
    try process.run()
    try? stdin.fileHandleForWriting.write(contentsOf: Data(input.utf8))
    try? stdin.fileHandleForWriting.close()
    let output = stdout.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: output, as: UTF8.self))
}

@Suite("managesievectl hash-password")
struct HashPasswordCommandTests {
    @Test(
        "prints a passwd-file field that verifies the password read from stdin",
        arguments: [
            ([], "{CRYPT}$y$"), (["--scheme", "SHA512-CRYPT"], "{SHA512-CRYPT}$6$"),
            (["--scheme", "sha256-crypt"], "{SHA256-CRYPT}$5$"), (["-s", "BLF-CRYPT"], "{BLF-CRYPT}$2b$10$"),
            (["--scheme", "MD5-CRYPT"], "{MD5-CRYPT}$1$"), (["--scheme", "SCRAM-SHA-256"], "{SCRAM-SHA-256}4096,"),
            (["--scheme", "scram-sha-1"], "{SCRAM-SHA-1}4096,"),
            (["--scheme", "SCRAM-SHA-256", "--rounds", "5000"], "{SCRAM-SHA-256}5000,"),
        ] as [([String], String)])
    func hashes(arguments: [String], prefix: String) throws {
        let result = try runHashPassword(arguments: arguments, input: "pässword 1\n")
        #expect(result.status == 0)
        let lines = result.output.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 2 && lines[1].isEmpty, "one line of output")
        let field = String(lines[0])
        #expect(field.hasPrefix(prefix))
        #expect(PasswordVerifier.verify(Array("pässword 1".utf8), against: field))
        #expect(!PasswordVerifier.verify(Array("pässword 1\n".utf8), against: field))
        #expect(!PasswordVerifier.verify(Array("pässword".utf8), against: field))
    }

    @Test("a CRLF line loses its CR")
    func crlf() throws {
        let result = try runHashPassword(arguments: ["--scheme", "MD5-CRYPT"], input: "abc\r\n")
        #expect(result.status == 0)
        #expect(PasswordVerifier.verify(Array("abc".utf8), against: String(result.output.dropLast())))
    }

    @Test(
        "an empty password, no input or an unknown scheme fail without output",
        arguments: [
            ([], "\n"), ([], ""), (["--scheme", "SCRAM-SHA-9"], "x\n"),
            (["--scheme", "SCRAM-SHA-256", "--rounds", "4095"], "x\n"), (["--rounds", "abc"], "x\n"),
        ] as [([String], String)])
    func failures(arguments: [String], input: String) throws {
        let result = try runHashPassword(arguments: arguments, input: input)
        #expect(result.status != 0)
        #expect(result.output.isEmpty)
    }
}
