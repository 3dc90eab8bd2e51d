import Testing

@testable import managesievectl

@Suite("JSONValue: the --json lines")
struct JSONValueTests {
    @Test("objects keep their key order and nest")
    func objectShape() {
        let value = JSONValue.object([
            ("user", .string("alice")), ("script", .string("rules")), ("active", .bool(true)), ("size", .int(41)),
            ("diagnostics", .array([.object([("line", .int(2)), ("message", .string("x"))])])),
        ])
        #expect(
            value.text
                == #"{"user":"alice","script":"rules","active":true,"size":41,"diagnostics":[{"line":2,"message":"x"}]}"#
        )
    }

    @Test("strings are escaped so that one object stays on one line")
    func escaping() {
        #expect(JSONValue.string("a\"b\\c\nd\r\te\u{01}\u{7F}").text == #""a\"b\\c\nd\r\te\u0001\u007f""#)
        #expect(JSONValue.string("Grüße ✓").text == "\"Grüße ✓\"")
        #expect(!JSONValue.script(Array("keep;\r\n".utf8)).text.contains("\n"))
    }

    @Test("a script that is not UTF-8 still gives valid JSON")
    func invalidUTF8() {
        #expect(JSONValue.script([0x6B, 0xFF, 0x3B]).text == "\"k\u{FFFD};\"")
    }
}
