import ManageSieveProtocol
import Posix
import Testing

@testable import Transcript

/// The client side as the server produces it: the one parser frames the bytes, and the SASL mode is set the way
/// the session sets it (a response is expected while the mechanism wants one), so the records are the ones a
/// real session hands to its transcript.
private struct ClientSide {
    var parser: CommandParser
    var pending = 0

    init(maxLiteral: Int) {
        parser = CommandParser()
        parser.startRecording(literalCap: maxLiteral)
    }

    static func entries(_ records: [InputRecord], _ transcriber: Transcriber) -> [Entry] {
        records.flatMap { record in
            var length: UInt64? = nil
            if case .literal(let declared) = record.kind { length = declared }
            return transcriber.clientInput(
                ClientInput(
                    literalLength: length, shown: record.shown, withheld: record.withheld,
                    shownAfter: record.shownAfter, dropped: record.dropped, incomplete: record.incomplete))
        }
    }

    mutating func feed(_ bytes: [UInt8], _ transcriber: inout Transcriber) -> [Entry] {
        parser.append(bytes)
        var out: [Entry] = []
        while true {
            let event = parser.next()
            out += Self.entries(parser.takeRecords(), transcriber)
            guard let event else { return out }
            switch event {
            case .command(.authenticate(let name, let initial)):
                let mechanism = name.uppercased()
                let hasInitial = !(initial ?? []).isEmpty
                switch mechanism {
                case "PLAIN", "EXTERNAL": pending = hasInitial ? 0 : 1
                case "LOGIN", "SCRAM-SHA-1", "SCRAM-SHA-256": pending = hasInitial ? 1 : 2
                default: continue
                }
                out += transcriber.note(.saslBegin(mechanism))
            case .saslResponse:
                pending -= 1
            case .saslCancel, .invalid:
                pending = 0
            default:
                continue
            }
            if pending > 0 { parser.expectSASLResponse() } else { out += transcriber.note(.saslEnd) }
        }
    }

    mutating func finish(_ transcriber: Transcriber) -> [Entry] {
        Self.entries(parser.finishRecording(), transcriber)
    }
}

/// Feeds a whole exchange (client and server parts in order) and returns the rendered entries (without the
/// session's own sasl begin/end events).
private func run(_ steps: [(Character, String)], maxLiteral: Int = 1024, split: Bool = false) -> [String] {
    var transcriber = Transcriber(maxLiteral: maxLiteral)
    var client = ClientSide(maxLiteral: maxLiteral)
    var out: [Entry] = []
    for (side, text) in steps {
        let bytes = Array(text.utf8)
        let chunks: [[UInt8]] = split ? bytes.map { [$0] } : [bytes]
        for chunk in chunks {
            switch side {
            case "C": out += client.feed(chunk, &transcriber)
            case "S": out += transcriber.serverBytes(chunk)
            default: out += transcriber.note(.text(text))
            }
        }
    }
    out += client.finish(transcriber)
    out += transcriber.finish()
    return out.compactMap { entry in
        if entry.source == .event && entry.text.hasPrefix("sasl ") { return nil }
        let marker = entry.source == .client ? "C" : entry.source == .server ? "S" : "*"
        return (entry.literalLength.map { "\(marker)+ \($0)" } ?? marker) + ": " + entry.text
    }
}

@Suite("Transcriber")
struct TranscriberTests {
    @Test("frames lines in each direction and drops CRLF", arguments: [false, true])
    func lines(split: Bool) {
        let result = run([("S", "\"IMPLEMENTATION\" \"x\"\r\nOK\r\n"), ("C", "NOOP\r\nLOGOUT\r\n")], split: split)
        #expect(result == ["S: \"IMPLEMENTATION\" \"x\"", "S: OK", "C: NOOP", "C: LOGOUT"])
    }

    @Test("records literals as one record with their length", arguments: [false, true])
    func literals(split: Bool) {
        let result = run(
            [
                ("C", "PUTSCRIPT \"s\" {12+}\r\nkeep;\r\nstop;\r\n"),
                ("S", "OK\r\n"), ("C", "GETSCRIPT \"s\"\r\n"), ("S", "{5}\r\nkeep;\r\nOK\r\n"),
            ], split: split)
        #expect(
            result == [
                "C: PUTSCRIPT \"s\" {12+}", "C+ 12: keep;\\r\\nstop;", "C: ", "S: OK", "C: GETSCRIPT \"s\"",
                "S: {5}", "S+ 5: keep;", "S: ", "S: OK",
            ])
    }

    @Test("a synchronizing client literal {N} is a literal too; the server's {N+} is not")
    func synchronizing() {
        let result = run([("C", "CHECKSCRIPT {2}\r\nab\r\n"), ("S", "NO {3+}\r\nOK\r\n")])
        #expect(result == ["C: CHECKSCRIPT {2}", "C+ 2: ab", "C: ", "S: NO {3+}", "S: OK"])
    }

    @Test("escapes control bytes, backslashes and invalid UTF-8; keeps valid UTF-8")
    func escaping() {
        let result = run([("C", "PUTSCRIPT \"a\\\\b\u{7}é\" {4+}\r\n\u{0}\t\u{1B}\u{7F}\r\n")])
        #expect(result == ["C: PUTSCRIPT \"a\\\\\\\\b\\x07é\" {4+}", "C+ 4: \\x00\\t\\x1B\\x7F", "C: "])
        let bytes: [UInt8] = [0x41, 0xFF, 0xC3, 0x28, 0xC2, 0x85, 0x0D, 0x0A]
        let entries = Transcriber(maxLiteral: 10).clientInput(
            ClientInput(literalLength: nil, shown: bytes, withheld: 0, shownAfter: [], dropped: 0, incomplete: false))
        #expect(entries.map(\.text) == ["A\\xFF\\xC3(\\xC2\\x85"])
    }

    @Test("a bare LF ends a line and is shown as \\n")
    func bareLF() {
        #expect(run([("C", "NOOP\nLOGOUT\r\n")]) == ["C: NOOP\\n", "C: LOGOUT"])
    }

    @Test("truncates a literal after the limit and says how much is missing")
    func truncation() {
        let result = run([("C", "PUTSCRIPT \"s\" {10+}\r\n0123456789\r\n")], maxLiteral: 4)
        #expect(
            result == [
                "C: PUTSCRIPT \"s\" {10+}", "C+ 10: 0123", "*: literal truncated: 6 more bytes not recorded", "C: ",
            ])
    }

    @Test("PLAIN initial response as a quoted string is redacted with its length", arguments: [false, true])
    func plainInitialResponse(split: Bool) {
        let result = run(
            [
                ("C", "AUTHENTICATE \"PLAIN\" \"AGFsaWNlAHNlY3JldA==\"\r\n"), ("S", "OK \"Logged in.\"\r\n"),
                ("C", "LISTSCRIPTS\r\n"),
            ], split: split)
        #expect(
            result == [
                "C: AUTHENTICATE \"PLAIN\" <redacted 22 bytes>", "S: OK \"Logged in.\"", "C: LISTSCRIPTS",
            ])
        #expect(!result.joined().contains("AGFsaWNl"))
    }

    @Test("commands pipelined after a PLAIN initial response stay readable; a challenge redacts again")
    func pipelinedAfterPlain() {
        let result = run([
            ("C", "AUTHENTICATE \"PLAIN\" \"AGFsaWNlAHNlY3JldA==\"\r\nPUTSCRIPT \"a\" {5+}\r\nkeep;\r\nNOOP\r\n"),
            ("S", "OK\r\nOK\r\nOK\r\n"),
        ])
        #expect(
            result == [
                "C: AUTHENTICATE \"PLAIN\" <redacted 22 bytes>", "C: PUTSCRIPT \"a\" {5+}", "C+ 5: keep;", "C: ",
                "C: NOOP", "S: OK", "S: OK", "S: OK",
            ])
        let login = run([
            ("C", "AUTHENTICATE \"LOGIN\" \"YWxpY2U=\"\r\n"), ("S", "\"UGFzc3dvcmQ6\"\r\n"), ("C", "\"c2VjcmV0\"\r\n"),
            ("S", "OK\r\n"),
        ])
        #expect(
            login == [
                "C: AUTHENTICATE \"LOGIN\" <redacted 10 bytes>", "S: \"UGFzc3dvcmQ6\"", "C: <redacted 10 bytes>",
                "S: OK",
            ])
    }

    @Test("PLAIN initial response as a literal: the literal is redacted")
    func plainLiteralInitialResponse() {
        let result = run([
            ("C", "authenticate PLAIN {20+}\r\nAGFsaWNlAHNlY3JldA==\r\n"), ("S", "OK\r\n"), ("C", "NOOP\r\n"),
        ])
        #expect(
            result == [
                "C: authenticate PLAIN {20+}", "C+ 20: <redacted 20 bytes>", "C: ", "S: OK", "C: NOOP",
            ])
    }

    @Test("PLAIN with a continuation: the client's string or literal response is redacted")
    func plainContinuation() {
        let quoted = run([
            ("C", "AUTHENTICATE \"PLAIN\"\r\n"), ("S", "\"\"\r\n"), ("C", "\"AGFsaWNlAHNlY3JldA==\"\r\n"),
            ("S", "NO \"Authentication failed.\"\r\n"), ("C", "NOOP\r\n"),
        ])
        #expect(
            quoted == [
                "C: AUTHENTICATE \"PLAIN\"", "S: \"\"", "C: <redacted 22 bytes>", "S: NO \"Authentication failed.\"",
                "C: NOOP",
            ])
        let literal = run([
            ("C", "AUTHENTICATE \"PLAIN\"\r\n"), ("S", "\"\"\r\n"), ("C", "{20+}\r\nAGFsaWNlAHNlY3JldA==\r\n"),
            ("S", "OK\r\n"),
        ])
        #expect(
            literal == [
                "C: AUTHENTICATE \"PLAIN\"", "S: \"\"", "C: {20+}", "C+ 20: <redacted 20 bytes>", "C: ", "S: OK",
            ])
    }

    @Test("LOGIN exchange: both responses redacted, the prompts kept, a cancel shown")
    func loginExchange() {
        let result = run([
            ("C", "AUTHENTICATE \"LOGIN\"\r\n"), ("S", "\"VXNlcm5hbWU6\"\r\n"), ("C", "\"YWxpY2U=\"\r\n"),
            ("S", "\"UGFzc3dvcmQ6\"\r\n"), ("C", "\"c2VjcmV0\"\r\n"), ("S", "OK\r\n"),
            ("C", "AUTHENTICATE \"LOGIN\"\r\n"), ("S", "\"VXNlcm5hbWU6\"\r\n"), ("C", "\"*\"\r\n"), ("S", "NO\r\n"),
        ])
        #expect(
            result == [
                "C: AUTHENTICATE \"LOGIN\"", "S: \"VXNlcm5hbWU6\"", "C: <redacted 10 bytes>",
                "S: \"UGFzc3dvcmQ6\"", "C: <redacted 10 bytes>", "S: OK",
                "C: AUTHENTICATE \"LOGIN\"", "S: \"VXNlcm5hbWU6\"", "C: \"*\"", "S: NO",
            ])
    }

    @Test("other mechanisms: server challenges and the final SASL code are redacted too")
    func scram() {
        let result = run([
            ("C", "AUTHENTICATE \"SCRAM-SHA-256\" \"biwsbj1hbGljZSxyPXh5eg==\"\r\n"),
            ("S", "\"cj14eXphYmMscz1zYWx0LGk9NDA5Ng==\"\r\n"),
            ("C", "\"Yz1iaXdzLHI9eHl6YWJjLHA9cHJvb2Y=\"\r\n"),
            ("S", "OK (SASL \"dj1zaWduYXR1cmU=\") \"Logged in.\"\r\n"),
        ])
        #expect(
            result == [
                "C: AUTHENTICATE \"SCRAM-SHA-256\" <redacted 26 bytes>", "S: <redacted 34 bytes>",
                "C: <redacted 34 bytes>", "S: OK (SASL <redacted 18 bytes>) \"Logged in.\"",
            ])
    }

    @Test("a mechanism sent as a literal is kept, the response after it redacted")
    func literalMechanism() {
        let result = run([("C", "AUTHENTICATE {5+}\r\nPLAIN \"AGFsaWNlAHNlY3JldA==\"\r\n"), ("S", "OK\r\n")])
        #expect(result == ["C: AUTHENTICATE {5+}", "C+ 5: PLAIN", "C:  <redacted 22 bytes>", "S: OK"])
    }

    @Test("an unsupported mechanism's NO ends the redaction")
    func refused() {
        let result = run([
            ("C", "AUTHENTICATE \"FOO\"\r\n"), ("S", "NO \"Unsupported authentication mechanism.\"\r\n"),
            ("C", "NOOP\r\n"),
        ])
        #expect(result.last == "C: NOOP")
    }

    @Test("the session's notes drive the server side: challenges redacted between saslBegin and saslEnd only")
    func notesDriveServerRedaction() {
        var transcriber = Transcriber(maxLiteral: 100)
        #expect(transcriber.serverBytes(Array("\"c2VjcmV0\"\r\n".utf8)).map(\.text) == ["\"c2VjcmV0\""])
        _ = transcriber.note(.saslBegin("SCRAM-SHA-256"))
        #expect(transcriber.serverBytes(Array("\"c2VjcmV0\"\r\n".utf8)).map(\.text) == ["<redacted 10 bytes>"])
        _ = transcriber.note(.saslEnd)
        #expect(
            transcriber.serverBytes(Array("NO (SASL \"ZT14\") \"x\"\r\n".utf8)).map(\.text) == [
                "NO (SASL <redacted 6 bytes>) \"x\""
            ])
    }

    @Test("TLS start forgets everything of the plaintext phase (a server literal or exchange half-framed)")
    func resetAtTLS() {
        var transcriber = Transcriber(maxLiteral: 100)
        _ = transcriber.note(.saslBegin("SCRAM-SHA-1"))
        _ = transcriber.serverBytes(Array("{200}\r\n".utf8))
        transcriber.reset()
        #expect(!transcriber.saslActive)
        #expect(transcriber.serverBytes(Array("OK\r\n".utf8)).map(\.text) == ["OK"])
    }

    @Test("unfinished input is recorded at the end, a pending credential redacted")
    func unfinished() {
        #expect(run([("C", "NOOP")]) == ["C: NOOP", "*: client line incomplete: no line end"])
        #expect(
            run([("C", "PUTSCRIPT \"s\" {10+}\r\nabc")]) == [
                "C: PUTSCRIPT \"s\" {10+}", "C+ 10: abc", "*: client literal incomplete: 3 of 10 bytes",
            ])
        #expect(
            run([("C", "AUTHENTICATE \"PLAIN\"\r\n"), ("S", "\"\"\r\n"), ("C", "\"AGFs")]) == [
                "C: AUTHENTICATE \"PLAIN\"", "S: \"\"", "C: <redacted 5 bytes>",
                "*: client line incomplete: no line end",
            ])
    }

    @Test("an over-long line is cut and the rest counted")
    func longLine() {
        let result = run([("C", String(repeating: "A", count: 70_000) + "\r\n")])
        #expect(result.count == 2)
        #expect(result[1] == "*: line truncated: 4464 more bytes not recorded")
    }
}
