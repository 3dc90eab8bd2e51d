import Testing

@testable import ManageSieveProtocol

@Suite("ProtocolError")
struct ProtocolErrorTests {
    @Test("every refusal has a distinct message")
    func messages() {
        let errors: [ProtocolError] = [
            .lineTooLong(limit: 65536), .unknownCommand(Array("FOO".utf8)), .emptyCommand,
            .badArguments(command: "NOOP", reason: "expected a string"), .malformedLiteral,
            .literalTooLarge(command: "PUTSCRIPT", declared: 5, limit: 4), .stringTooLong(command: "NOOP", limit: 3),
            .badQuotedString("unterminated quoted string"), .nulByte, .invalidUTF8, .badNumber, .badSASLResponse,
        ]
        #expect(Set(errors.map(\.message)).count == errors.count)
        #expect(ProtocolError.lineTooLong(limit: 65536).message == "Command line too long (limit 65536 octets).")
        #expect(
            ProtocolError.badArguments(command: "NOOP", reason: "expected a string").message
                == "Bad arguments for NOOP: expected a string.")
    }
}
