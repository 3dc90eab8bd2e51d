import Testing

@testable import ManageSieveProtocol

private func b(_ text: String) -> [UInt8] { Array(text.utf8) }

@Suite("ResponseEncoder")
struct ResponseEncoderTests {
    static let responses: [(Response, String)] = [
        (.ok, "OK\r\n"),
        (Response(.ok, "Logged in."), "OK \"Logged in.\"\r\n"),
        (Response(.no, code: .quotaMaxSize, "text"), "NO (QUOTA/MAXSIZE) \"text\"\r\n"),
        (Response(.ok, code: .tag(b("x"))), "OK (TAG \"x\")\r\n"),
        (Response(.ok, code: .sasl(b("dj1ZWE5="))), "OK (SASL \"dj1ZWE5=\")\r\n"),
        (Response(.no, code: .referral("sieve://h")), "NO (REFERRAL \"sieve://h\")\r\n"),
        (
            Response(.bye, "Too many invalid MANAGESIEVE commands."),
            "BYE \"Too many invalid MANAGESIEVE commands.\"\r\n"
        ),
        (Response(.no, code: .authTooWeak), "NO (AUTH-TOO-WEAK)\r\n"),
        (Response(.no, code: .encryptNeeded), "NO (ENCRYPT-NEEDED)\r\n"),
        (Response(.no, code: .quota), "NO (QUOTA)\r\n"),
        (Response(.no, code: .quotaMaxScripts), "NO (QUOTA/MAXSCRIPTS)\r\n"),
        (Response(.no, code: .quotaMaxStorage), "NO (QUOTA/MAXSTORAGE)\r\n"),
        (Response(.no, code: .transitionNeeded), "NO (TRANSITION-NEEDED)\r\n"),
        (Response(.no, code: .tryLater), "NO (TRYLATER)\r\n"),
        (
            Response(.no, code: .active, "Cannot delete the active Sieve script."),
            "NO (ACTIVE) \"Cannot delete the active Sieve script.\"\r\n"
        ),
        (Response(.no, code: .nonExistent), "NO (NONEXISTENT)\r\n"),
        (Response(.no, code: .alreadyExists), "NO (ALREADYEXISTS)\r\n"),
        (Response(.ok, code: .warnings, "line 1: warning: x"), "OK (WARNINGS) \"line 1: warning: x\"\r\n"),
        (Response(.no, "line 1: error\nline 2: error"), "NO {27}\r\nline 1: error\nline 2: error\r\n"),
        (Response(.ok, code: .tag(b("a\"b\\c"))), "OK (TAG \"a\\\"b\\\\c\")\r\n"),
        (Response(.no, text: []), "NO \"\"\r\n"),
    ]

    @Test("encodes status lines exactly", arguments: responses)
    func encodesResponse(response: Response, wire: String) {
        #expect(ResponseEncoder.encode(.response(response)) == b(wire))
        #expect(ResponseEncoder.encode(response) == b(wire))
    }

    @Test("encodes the capability block")
    func capabilities() {
        let output = ServerOutput.capabilities([
            Capability("IMPLEMENTATION", "managesieved"),
            Capability("SIEVE", "fileinto reject"),
            Capability("STARTTLS"),
            Capability("VERSION", "1.0"),
        ])
        #expect(
            ResponseEncoder.encode(output)
                == b(
                    "\"IMPLEMENTATION\" \"managesieved\"\r\n\"SIEVE\" \"fileinto reject\"\r\n\"STARTTLS\"\r\n\"VERSION\" \"1.0\"\r\n"
                ))
    }

    @Test("encodes LISTSCRIPTS lines")
    func scriptList() {
        let output = ServerOutput.scriptList([
            ScriptListEntry(name: "main", isActive: true),
            ScriptListEntry(name: "other", isActive: false),
        ])
        #expect(ResponseEncoder.encode(output) == b("\"main\" ACTIVE\r\n\"other\"\r\n"))
        #expect(ResponseEncoder.encode(.scriptList([])) == [])
    }

    @Test("encodes a script as a literal")
    func script() {
        #expect(ResponseEncoder.encode(.script(b("keep;\r\n"))) == b("{7}\r\nkeep;\r\n\r\n"))
        #expect(ResponseEncoder.encode(.script([])) == b("{0}\r\n\r\n"))
    }

    @Test("encodes a SASL challenge as a string line")
    func saslChallenge() {
        #expect(ResponseEncoder.encode(.saslChallenge([])) == b("\"\"\r\n"))
        #expect(ResponseEncoder.encode(.saslChallenge(b("VXNlcm5hbWU6"))) == b("\"VXNlcm5hbWU6\"\r\n"))
    }

    @Test("the into: variant appends")
    func appends() {
        var bytes = b("x")
        ResponseEncoder.encode(.response(.ok), into: &bytes)
        #expect(bytes == b("xOK\r\n"))
    }

    static let strings: [([UInt8], String)] = [
        (b("plain"), "\"plain\""),
        (b(""), "\"\""),
        (b("a\"b"), "\"a\\\"b\""),
        (b("a\\b"), "\"a\\\\b\""),
        (b("h\u{e9}"), "\"h\u{e9}\""),
        (b("a\r\nb"), "{4}\r\na\r\nb"),
        (b("a\nb"), "{3}\r\na\nb"),
        (b("a\rb"), "{3}\r\na\rb"),
        ([0x61, 0x00], "{2}\r\na\u{0}"),
        (b(String(repeating: "x", count: 1024)), "\"" + String(repeating: "x", count: 1024) + "\""),
        (b(String(repeating: "x", count: 1025)), "{1025}\r\n" + String(repeating: "x", count: 1025)),
    ]

    @Test("encodeString quotes when safe, else sends a literal", arguments: strings)
    func encodesString(content: [UInt8], wire: String) {
        #expect(ResponseEncoder.encodeString(content) == b(wire))
    }

    @Test("invalid UTF-8 is sent as a literal")
    func invalidUTF8String() {
        #expect(ResponseEncoder.encodeString([0xFF]) == b("{1}\r\n") + [0xFF])
    }

    static let injections = [
        "evil\"\r\nOK",
        "x\" ACTIVE",
        "x\r\n\"y\" ACTIVE",
        "a\\\" ACTIVE\r\nOK \"done",
        "\"",
        "\\",
    ]

    @Test("a script name can't forge a line or an ACTIVE marker", arguments: injections)
    func injection(name: String) {
        let wire = ResponseEncoder.encode(.scriptList([ScriptListEntry(name: name, isActive: false)]))
        // Parse the line back: a quoted string or a literal, then exactly CRLF.
        let decoded = decodeString(wire)
        #expect(decoded?.content == b(name))
        #expect(decoded.map { Array(wire[$0.end...]) } == b("\r\n"))
    }

    /// Reads one server string (quoted or literal) from the start of `wire`.
    private func decodeString(_ wire: [UInt8]) -> (content: [UInt8], end: Int)? {
        if wire.first == 0x22 {
            var content: [UInt8] = []
            var i = 1
            while i < wire.count {
                switch wire[i] {
                case 0x22: return (content, i + 1)
                case 0x5C where i + 1 < wire.count:
                    content.append(wire[i + 1])
                    i += 2
                case 0x0D, 0x0A: return nil
                default:
                    content.append(wire[i])
                    i += 1
                }
            }
            return nil
        }
        guard wire.first == 0x7B, let close = wire.firstIndex(of: 0x7D) else { return nil }
        guard let length = Int(String(decoding: wire[1..<close], as: UTF8.self)) else { return nil }
        let start = close + 3
        guard Array(wire[(close + 1)..<start]) == b("\r\n"), start + length <= wire.count else { return nil }
        return (Array(wire[start..<(start + length)]), start + length)
    }
}
