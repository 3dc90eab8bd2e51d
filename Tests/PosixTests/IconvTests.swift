import Testing

@testable import Posix

@Suite struct IconvTests {
    @Test("converts Latin-1 and UTF-16 to UTF-8; unknown charsets and invalid text give nil")
    func conversion() {
        #expect(Iconv.toUTF8(charset: "ISO-8859-1", bytes: [0x63, 0x61, 0x66, 0xE9]) == Array("café".utf8))
        #expect(Iconv.toUTF8(charset: "utf-16be", bytes: [0x00, 0x41, 0x00, 0xE9]) == Array("Aé".utf8))
        #expect(Iconv.toUTF8(charset: "x-no-such-charset", bytes: [0x41]) == nil)
        #expect(Iconv.toUTF8(charset: "UTF-8", bytes: [0xFF, 0xFE]) == nil)
    }
}
