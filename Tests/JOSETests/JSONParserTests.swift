import JOSE
import Testing

@Suite struct JSONParserTests {
    func parse(_ text: String) throws(JSONError) -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    @Test("parses every kind of value")
    func kinds() throws {
        let value = try parse(#" {"a": [1, -2.5e3, true, false, null, "x\u00e9\ud83d\ude00\n"], "b": {}} "#)
        guard case .object(let object) = value else { Issue.record("not an object"); return }
        #expect(object.members.map(\.name) == ["a", "b"])
        guard case .array(let list)? = object["a"] else { Issue.record("a is not a list"); return }
        #expect(list[0].number == 1)
        #expect(list[1].number == -2500)
        #expect(list[2] == .bool(true))
        #expect(list[4] == .null)
        #expect(list[5].string == "xé😀\n")
        #expect(object["b"] == .object(JSONObject()))
    }

    @Test(
        "refuses malformed documents",
        arguments: [
            "", " ", "{", "}", "[1,]", "[,1]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "01", "-", "1.", ".5", "1e",
            "+1", "tru", "nul", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"",
            "\"a\u{01}\"", "[1] [2]", "1 2", "NaN", "Infinity", "1e999", "{\"a\":1,\"a\":2}", "[\"\\u0000\" 1]",
            "\"\u{7F}", "{\"\":1,\"\":1}",
        ])
    func malformed(text: String) {
        #expect(throws: JSONError.self) { try parse(text) }
    }

    @Test("refuses invalid UTF-8 in strings")
    func invalidUTF8() {
        for bad: [UInt8] in [[0xC0, 0x80], [0xED, 0xA0, 0x80], [0xFF], [0xE2, 0x82], [0xF4, 0x90, 0x80, 0x80]] {
            let bytes = [UInt8(ascii: "\"")] + bad + [UInt8(ascii: "\"")]
            #expect(throws: JSONError(kind: .invalidUTF8, offset: bytes.count)) {
                try JSONParser.parse(bytes)
            }
        }
    }

    @Test("duplicate member names are refused, naming the member")
    func duplicates() {
        #expect(throws: JSONError(kind: .duplicateName("exp"), offset: 10)) {
            try parse(#"{"exp":1, "exp":2}"#)
        }
    }

    @Test("size, depth and value-count limits")
    func limits() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONError(kind: .tooDeep(limit: 16), offset: 16)) {
            try JSONParser.parse(Array(deep.utf8), limits: JSONLimits(maxSize: 1 << 20))
        }
        #expect(throws: JSONError(kind: .tooLarge(limit: 10), offset: 10)) {
            try JSONParser.parse(Array("[1,2,3,4,5,6]".utf8), limits: JSONLimits(maxSize: 10))
        }
        let many = "[" + Array(repeating: "0", count: 5000).joined(separator: ",") + "]"
        #expect(throws: JSONError.self) { try JSONParser.parse(Array(many.utf8)) }
        #expect(throws: Never.self) {
            try JSONParser.parse(Array(many.utf8), limits: JSONLimits(maxValues: 5001))
        }
    }

    @Test("every truncation of a valid document is refused, never crashes")
    func truncations() throws {
        let text = Array(
            #"{"iss":"https://id.example.com/realms/x","aud":["a","b"],"exp":1.5e9,"n":null,"t":true}"#.utf8)
        _ = try JSONParser.parse(text)
        for length in 0..<text.count {
            #expect(throws: JSONError.self) { try JSONParser.parse(Array(text[..<length])) }
        }
        // And every single-byte corruption either parses or is refused.
        for index in text.indices {
            for replacement: UInt8 in [0x00, 0x22, 0x5C, 0x7B, 0x5D, 0xFF] {
                var changed = text
                changed[index] = replacement
                _ = try? JSONParser.parse(changed)
            }
        }
    }
}
