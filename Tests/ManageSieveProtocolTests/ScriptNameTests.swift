import Testing

@testable import ManageSieveProtocol

@Suite("ScriptName")
struct ScriptNameTests {
    static let valid = [
        "main", "My Filters", ".", "..", ".hidden", "h\u{e9}llo", "\u{65e5}\u{672c}", "a\\b", "a\"b", "x.sieve",
    ]

    @Test("accepts Net-Unicode names", arguments: valid)
    func acceptsValid(name: String) throws {
        let scriptName = try ScriptName(validating: Array(name.utf8))
        #expect(scriptName.string == name)
        #expect(scriptName.bytes == Array(name.utf8))
    }

    @Test("accepts a name of exactly maxLength octets")
    func acceptsMaxLength() throws {
        let name = String(repeating: "\u{e9}", count: 100)
        #expect(name.utf8.count == ScriptName.maxLength)
        #expect(try ScriptName(validating: name).string == name)
    }

    static let invalid: [([UInt8], ScriptNameError)] = [
        ([], .empty),
        (Array(repeating: 0x61, count: 201), .tooLong(limit: 200)),
        (Array(repeating: 0x61, count: 1000), .tooLong(limit: 200)),
        ([0x61, 0xC3, 0x28], .invalidUTF8),
        ([0xFF], .invalidUTF8),
        ([0xC0, 0xAF], .invalidUTF8),
        ([0xED, 0xA0, 0x80], .invalidUTF8),
        (Array("a\u{0}b".utf8), .controlCharacter),
        (Array("a\rb".utf8), .controlCharacter),
        (Array("a\nb".utf8), .controlCharacter),
        (Array("a\tb".utf8), .controlCharacter),
        (Array("a\u{7f}".utf8), .controlCharacter),
        (Array("a\u{85}".utf8), .controlCharacter),
        (Array("a\u{9f}".utf8), .controlCharacter),
        (Array("a\u{2028}".utf8), .controlCharacter),
        (Array("a\u{2029}".utf8), .controlCharacter),
        (Array("a/b".utf8), .slash),
        (Array("/".utf8), .slash),
        (Array("../etc/passwd".utf8), .slash),
    ]

    @Test("refuses names that break RFC 5804 §1.6 or the storage rules", arguments: invalid)
    func refusesInvalid(bytes: [UInt8], expected: ScriptNameError) {
        #expect(throws: expected) {
            try ScriptName(validating: bytes)
        }
    }

    @Test("every error has a message")
    func messages() {
        let errors: [ScriptNameError] = [.empty, .tooLong(limit: 200), .invalidUTF8, .controlCharacter, .slash]
        let texts = errors.map(\.message)
        #expect(texts.allSatisfy { !$0.isEmpty })
        #expect(Set(texts).count == errors.count)
        #expect(ScriptNameError.tooLong(limit: 200).message.contains("200"))
    }
}
