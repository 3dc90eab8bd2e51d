import Testing

@testable import ManageSieveProtocol

private func records(_ text: String, sasl: Bool = false) -> [InputRecord] {
    var parser = CommandParser()
    parser.startRecording(literalCap: 100)
    if sasl { parser.expectSASLResponse() }
    parser.append(Array(text.utf8))
    var out: [InputRecord] = []
    while parser.next() != nil { out += parser.takeRecords() }
    return out + parser.finishRecording()
}

private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

@Suite("InputRecord: the parser decides what is a credential")
struct InputRecordTests {
    @Test("AUTHENTICATE shows the command and the mechanism, withholds the initial response, keeps the header")
    func authenticate() {
        let quoted = records("AUTHENTICATE \"PLAIN\" \"AGFsaWNl\"\r\n")
        #expect(quoted.map { text($0.shown) } == ["AUTHENTICATE \"PLAIN\" "])
        #expect(quoted.map(\.withheld) == [10])
        let literal = records("authenticate \"PLAIN\" {4+}\r\nabcd\r\n")
        #expect(literal.map { text($0.shown) } == ["authenticate \"PLAIN\" ", "", ""])
        #expect(literal.map(\.withheld) == [0, 4, 0])
        #expect(text(literal[0].shownAfter) == "{4+}\r\n")
        let mechanismLiteral = records("AUTHENTICATE {5+}\r\nPLAIN \"AGFs\"\r\n")
        #expect(mechanismLiteral.map { text($0.shown) } == ["AUTHENTICATE ", "PLAIN", " "])
        #expect(mechanismLiteral.map(\.withheld) == [0, 0, 6])
    }

    @Test("a mechanism the parser cannot delimit (an unterminated quote, an odd word) withholds the whole rest")
    func undelimited() {
        #expect(records("AUTHENTICATE \"PLAIN AGFsaWNl\r\n").map(\.withheld) == [16])
        #expect(records("AUTHENTICATE PL+AIN AGFsaWNl\r\n").map(\.withheld) == [16])
        // A bare mechanism name (refused by the session, no string) is shown; what follows is not.
        let atom = records("AUTHENTICATE PLAIN AGFsaWNl\r\n")
        #expect(atom.map { text($0.shown) } == ["AUTHENTICATE PLAIN "])
        #expect(atom.map(\.withheld) == [8])
    }

    @Test("in SASL mode every response is withheld except the cancel")
    func saslMode() {
        #expect(records("\"AGFsaWNl\"\r\n", sasl: true).map(\.withheld) == [10])
        #expect(records("\"*\"\r\n", sasl: true).map { text($0.shown) } == ["\"*\""])
        let literal = records("{3+}\r\nabc\r\n", sasl: true)
        #expect(literal.map(\.withheld) == [0, 3, 0])
    }

    @Test("other commands are shown whole; literals are capped and counted")
    func other() {
        let put = records("PUTSCRIPT \"s\" {150+}\r\n" + String(repeating: "k", count: 150) + "\r\n")
        #expect(text(put[0].shown) == "PUTSCRIPT \"s\" ")
        #expect(put[1].shown.count == 100 && put[1].dropped == 50 && put[1].withheld == 0)
    }

    @Test("an over-long AUTHENTICATE line withholds all but the command name")
    func longAuthenticate() {
        var parser = CommandParser(limits: ParserLimits(maxLineLength: 64))
        parser.startRecording(literalCap: 100)
        // In two reads, so that the line is too long before its end arrives.
        let line = Array(("AUTHENTICATE \"PLAIN\" \"" + String(repeating: "A", count: 200) + "\"\r\n").utf8)
        parser.append(line[..<100])
        while parser.next() != nil {}
        parser.append(line[100...])
        while parser.next() != nil {}
        let got = parser.finishRecording()
        #expect(got.map { text($0.shown) } == ["AUTHENTICATE"])
        #expect(got.first.map { $0.withheld + Int($0.dropped) } ?? 0 >= 200)
    }

    @Test("discarding pipelined input (STARTTLS) forgets the pending command and records nothing of it")
    func discard() {
        var parser = CommandParser()
        parser.startRecording(literalCap: 100)
        parser.append(Array("STARTTLS\r\nNOOP {200+}\r\n".utf8))
        #expect(parser.next() == .command(.startTLS))
        #expect(parser.takeRecords().map { text($0.shown) } == ["STARTTLS"])
        #expect(parser.discardBufferedInput() == 13)
        parser.append(Array("AUTHENTICATE \"PLAIN\" \"AGFs\"\r\n".utf8))
        _ = parser.next()
        let after = parser.takeRecords()
        #expect(after.map(\.withheld) == [6])
        #expect(after.allSatisfy { $0.kind == .line })
    }
}
