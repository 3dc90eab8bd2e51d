import Auth
import Testing

@Suite("Base64")
struct Base64Tests {
    // RFC 4648 §10 test vectors.
    static let rfcVectors = [
        ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ]

    @Test("RFC 4648 vectors encode and decode", arguments: rfcVectors)
    func vectors(plain: String, encoded: String) {
        #expect(Base64.encode(Array(plain.utf8)) == Array(encoded.utf8))
        #expect(Base64.decode(Array(encoded.utf8)) == Array(plain.utf8))
    }

    @Test("all byte values round-trip")
    func allBytes() {
        let bytes = (0...255).map(UInt8.init) + [0xFF, 0xFE]
        for count in 0...bytes.count {
            let slice = Array(bytes.prefix(count))
            #expect(Base64.decode(Base64.encode(slice)) == slice)
        }
        #expect(Base64.encode([0xFB, 0xFF]) == Array("+/8=".utf8))
    }

    @Test(
        "anything but canonical padded base64 is refused",
        arguments: [
            "Zg", "Zg=", "Zm9", "Zm 9v", " Zm9v", "Zm9v\r\n", "Zm9v=", "Zm9v====", "Z===", "=Zm9", "Zg==Zg==", "Zm=v",
            "Zh==", "Zm9=", "Zm-v", "Zm_v", "Zm9v!", "\0\0\0\0",
        ])
    func strict(text: String) {
        #expect(Base64.decode(Array(text.utf8)) == nil)
    }
}
