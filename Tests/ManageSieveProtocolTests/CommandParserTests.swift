import Testing

@testable import ManageSieveProtocol

private func b(_ text: String) -> [UInt8] { Array(text.utf8) }

@Suite("CommandParser")
struct CommandParserTests {
    // MARK: - Success

    static let wellFormed: [(String, Command)] = [
        ("CAPABILITY\r\n", .capability),
        ("capability\n", .capability),
        ("Logout\r\n", .logout),
        ("STARTTLS\r\n", .startTLS),
        ("LISTSCRIPTS\r\n", .listScripts),
        ("UNAUTHENTICATE\r\n", .unauthenticate),
        ("NOOP\r\n", .noop(tag: nil)),
        ("NOOP \"x\"\r\n", .noop(tag: b("x"))),
        ("noop {3+}\r\nabc\r\n", .noop(tag: b("abc"))),
        ("NOOP {3}\r\nabc\r\n", .noop(tag: b("abc"))),
        ("AUTHENTICATE \"PLAIN\"\r\n", .authenticate(mechanism: "PLAIN", initialResponse: nil)),
        (
            "AUTHENTICATE \"PLAIN\" \"AGZvbwBiYXI=\"\r\n",
            .authenticate(mechanism: "PLAIN", initialResponse: b("AGZvbwBiYXI="))
        ),
        (
            "AUTHENTICATE {5+}\r\nPLAIN {12+}\r\nAGZvbwBiYXI=\r\n",
            .authenticate(mechanism: "PLAIN", initialResponse: b("AGZvbwBiYXI="))
        ),
        ("HAVESPACE \"foo\" 1024\r\n", .haveSpace(name: b("foo"), size: 1024)),
        ("HAVESPACE \"foo\" 4294967295\r\n", .haveSpace(name: b("foo"), size: 4_294_967_295)),
        ("HAVESPACE \"foo\" 0\r\n", .haveSpace(name: b("foo"), size: 0)),
        ("PUTSCRIPT \"foo\" {5+}\r\nkeep;\r\n", .putScript(name: b("foo"), content: b("keep;"))),
        ("PUTSCRIPT {3+}\r\nfoo {6+}\r\nkeep;\n\r\n", .putScript(name: b("foo"), content: b("keep;\n"))),
        ("PUTSCRIPT \"a\\\"b\\\\\" {0+}\r\n\r\n", .putScript(name: b("a\"b\\"), content: [])),
        // A literal's content is never framed: CRLF and literal headers inside it are just octets.
        ("PUTSCRIPT \"a\" {12+}\r\nx {3}\r\nabc\r\n\r\n", .putScript(name: b("a"), content: b("x {3}\r\nabc\r\n"))),
        ("SETACTIVE \"\"\r\n", .setActive(name: [])),
        ("SETACTIVE \"main\"\r\n", .setActive(name: b("main"))),
        ("GETSCRIPT \"x\"\r\n", .getScript(name: b("x"))),
        ("DELETESCRIPT \"x\"\r\n", .deleteScript(name: b("x"))),
        ("RENAMESCRIPT \"a\" \"b\"\r\n", .renameScript(oldName: b("a"), newName: b("b"))),
        ("RENAMESCRIPT {1+}\r\na {1}\r\nb\r\n", .renameScript(oldName: b("a"), newName: b("b"))),
        ("CHECKSCRIPT {5+}\r\nkeep;\r\n", .checkScript(content: b("keep;"))),
        ("GETSCRIPT \"h\u{e9}llo\"\r\n", .getScript(name: b("h\u{e9}llo"))),
    ]

    @Test("parses well-formed commands, whole and split anywhere", arguments: wellFormed)
    func parsesWellFormed(input: String, expected: Command) {
        let events = ParseFixture.events(input)
        #expect(events == [.command(expected)])
    }

    @Test("a literal may contain NUL and any octet")
    func literalWithBinary() {
        let input: [UInt8] = b("PUTSCRIPT \"a\" {4+}\r\n") + [0, 0xFF, 0x0D, 0x0A] + b("\r\n")
        #expect(ParseFixture.events(input) == [.command(.putScript(name: b("a"), content: [0, 0xFF, 0x0D, 0x0A]))])
    }

    @Test("a quoted string of exactly maxQuotedLength octets is accepted")
    func quotedAtLimit() {
        let tag = String(repeating: "t", count: 1024)
        #expect(ParseFixture.events("NOOP \"\(tag)\"\r\n") == [.command(.noop(tag: b(tag)))])
    }

    // MARK: - Refused commands

    static let refused: [(String, ParseEvent)] = [
        ("\r\n", .invalid(.emptyCommand, command: nil)),
        ("\n", .invalid(.emptyCommand, command: nil)),
        ("FOO\r\n", .invalid(.unknownCommand(b("FOO")), command: nil)),
        ("FOO \"bar\"\r\n", .invalid(.unknownCommand(b("FOO")), command: nil)),
        (
            "CAPABILITY x\r\n",
            .invalid(
                .badArguments(command: "CAPABILITY", reason: "unexpected characters after the arguments"),
                command: "CAPABILITY")
        ),
        (
            "LOGOUT \r\n",
            .invalid(
                .badArguments(command: "LOGOUT", reason: "unexpected characters after the arguments"), command: "LOGOUT"
            )
        ),
        ("NOOP  \"x\"\r\n", .invalid(.badArguments(command: "NOOP", reason: "expected a string"), command: "NOOP")),
        (
            "NOOP \"x\" \r\n",
            .invalid(
                .badArguments(command: "NOOP", reason: "unexpected characters after the arguments"), command: "NOOP")
        ),
        (
            "NOOP \"x\"\"y\"\r\n",
            .invalid(
                .badArguments(command: "NOOP", reason: "unexpected characters after the arguments"), command: "NOOP")
        ),
        ("NOOP x\r\n", .invalid(.badArguments(command: "NOOP", reason: "expected a string"), command: "NOOP")),
        (
            "GETSCRIPT\r\n",
            .invalid(.badArguments(command: "GETSCRIPT", reason: "missing argument"), command: "GETSCRIPT")
        ),
        (
            "GETSCRIPT foo\r\n",
            .invalid(.badArguments(command: "GETSCRIPT", reason: "expected a string"), command: "GETSCRIPT")
        ),
        ("GETSCRIPT\t\"foo\"\r\n", .invalid(.unknownCommand(b("GETSCRIPT\t\"foo\"")), command: nil)),
        (
            "PUTSCRIPT \"foo\"\r\n",
            .invalid(.badArguments(command: "PUTSCRIPT", reason: "missing argument"), command: "PUTSCRIPT")
        ),
        (
            "RENAMESCRIPT \"a\"\"b\"\r\n",
            .invalid(.badArguments(command: "RENAMESCRIPT", reason: "expected a space"), command: "RENAMESCRIPT")
        ),
        (
            "PUTSCRIPT \"a\" {1+}\r\nxy\r\n",
            .invalid(
                .badArguments(command: "PUTSCRIPT", reason: "unexpected characters after the arguments"),
                command: "PUTSCRIPT")
        ),
        (
            "AUTHENTICATE\r\n",
            .invalid(.badArguments(command: "AUTHENTICATE", reason: "missing argument"), command: "AUTHENTICATE")
        ),
        ("HAVESPACE \"a\" 4294967296\r\n", .invalid(.badNumber, command: "HAVESPACE")),
        ("HAVESPACE \"a\" 99999999999999999999999\r\n", .invalid(.badNumber, command: "HAVESPACE")),
        ("HAVESPACE \"a\" 12x\r\n", .invalid(.badNumber, command: "HAVESPACE")),
        ("HAVESPACE \"a\" -1\r\n", .invalid(.badNumber, command: "HAVESPACE")),
        ("HAVESPACE \"a\" \"12\"\r\n", .invalid(.badNumber, command: "HAVESPACE")),
        ("HAVESPACE \"a\" {2+}\r\n12\r\n", .invalid(.badNumber, command: "HAVESPACE")),
        (
            "HAVESPACE \"a\"\r\n",
            .invalid(.badArguments(command: "HAVESPACE", reason: "missing argument"), command: "HAVESPACE")
        ),
        ("NOOP \"a\rb\"\r\n", .invalid(.badQuotedString("CR, LF or NUL in a quoted string"), command: "NOOP")),
        ("NOOP \"a\u{0}b\"\r\n", .invalid(.badQuotedString("CR, LF or NUL in a quoted string"), command: "NOOP")),
        ("NOOP \"a\\nb\"\r\n", .invalid(.badQuotedString("only \\\" and \\\\ may be escaped"), command: "NOOP")),
        ("NOOP \"abc\r\n", .invalid(.badQuotedString("unterminated quoted string"), command: "NOOP")),
        ("NOOP \"abc\\\"\r\n", .invalid(.badQuotedString("unterminated quoted string"), command: "NOOP")),
        // A quoted string cannot run into a literal.
        ("NOOP \"ab{1+}\r\nx\"\r\n", .invalid(.badQuotedString("unterminated quoted string"), command: "NOOP")),
        ("NO\u{0}OP\r\n", .invalid(.nulByte, command: nil)),
        ("NOOP\u{0}\r\n", .invalid(.nulByte, command: nil)),
        ("GETSCRIPT \u{0}\r\n", .invalid(.nulByte, command: "GETSCRIPT")),
        ("GETSCRIPT \"a\"\u{0}\r\n", .invalid(.nulByte, command: "GETSCRIPT")),
        // Too many literals: the third is consumed but not kept.
        (
            "PUTSCRIPT {1+}\r\na {1+}\r\nb {1+}\r\nc\r\n",
            .invalid(.badArguments(command: "PUTSCRIPT", reason: "too many arguments"), command: "PUTSCRIPT")
        ),
        ("XYZZY {1+}\r\na {1+}\r\nb {1+}\r\nc\r\n", .invalid(.unknownCommand(b("XYZZY")), command: nil)),
        // `{abc}` is not a literal header: the line ends there.
        ("NOOP {abc}\r\n", .invalid(.badArguments(command: "NOOP", reason: "expected a string"), command: "NOOP")),
    ]

    @Test("refuses malformed commands after consuming them, whole and split anywhere", arguments: refused)
    func refusesMalformed(input: String, expected: ParseEvent) {
        let events = ParseFixture.events(input + "LOGOUT\r\n")
        #expect(events == [expected, .command(.logout)])
    }

    @Test("an over-long quoted string is refused")
    func quotedTooLong() {
        let tag = String(repeating: "t", count: 1025)
        #expect(
            ParseFixture.events("NOOP \"\(tag)\"\r\n") == [
                .invalid(.badQuotedString("longer than 1024 octets"), command: "NOOP")
            ])
    }

    @Test("SASL data may be a quoted string longer than 1024 octets, up to maxOtherLiteralSize")
    func longQuotedSASLData() {
        let token = String(repeating: "A", count: 3000)
        #expect(
            ParseFixture.events("AUTHENTICATE \"XOAUTH2\" \"\(token)\"\r\n") == [
                .command(.authenticate(mechanism: "XOAUTH2", initialResponse: b(token)))
            ])
        var parser = CommandParser()
        parser.expectSASLResponse()
        parser.append(b("\"\(token)\"\r\n"))
        #expect(parser.next() == .saslResponse(b(token)))
        let tooLong = String(repeating: "A", count: 65537)
        var limited = CommandParser(limits: ParserLimits(maxLineLength: 1 << 20))
        limited.append(b("AUTHENTICATE \"XOAUTH2\" \"\(tooLong)\"\r\n"))
        #expect(limited.next() == .invalid(.badQuotedString("longer than 65536 octets"), command: "AUTHENTICATE"))
        // The mechanism name and other commands keep RFC 5804's bound.
        let longName = String(repeating: "M", count: 1025)
        #expect(
            ParseFixture.events("AUTHENTICATE \"\(longName)\"\r\n") == [
                .invalid(.badQuotedString("longer than 1024 octets"), command: "AUTHENTICATE")
            ])
    }

    @Test("an AUTHENTICATE mechanism that is not UTF-8 is refused")
    func mechanismNotUTF8() {
        let input = b("AUTHENTICATE \"PL") + [0xC3, 0x28] + b("\"\r\n")
        #expect(ParseFixture.events(input) == [.invalid(.invalidUTF8, command: "AUTHENTICATE")])
    }

    @Test("the name in unknownCommand is truncated to 64 octets")
    func unknownNameTruncated() {
        let name = String(repeating: "Z", count: 100)
        #expect(
            ParseFixture.events(name + "\r\n") == [.invalid(.unknownCommand(b(String(name.prefix(64)))), command: nil)])
    }

    // MARK: - Malformed literal headers: the stream can no longer be framed

    static let malformedHeaders = [
        "{}", "{+}", "{-1}", "{-1+}", "{007+}", "{00}", "{1-2}", "{1+2}", "{++}",
        "{18446744073709551616+}", "{123456789012345678901+}", "{99999999999999999999999999}",
    ]

    @Test("malformed literal headers are fatal", arguments: malformedHeaders)
    func malformedHeaderIsFatal(header: String) {
        let result = ParseFixture.events("NOOP \(header)\r\nLOGOUT\r\n")
        #expect(result == [.fatal(.malformedLiteral)])
    }

    @Test("after a fatal event the parser stays silent")
    func silentAfterFatal() {
        var parser = CommandParser()
        parser.append(b("NOOP {}\r\n"))
        #expect(parser.next() == .fatal(.malformedLiteral))
        parser.append(b("LOGOUT\r\n"))
        #expect(parser.next() == nil)
    }

    @Test("a literal declared above maxDiscardableLiteral is fatal")
    func undiscardableLiteral() {
        #expect(
            ParseFixture.events("NOOP {18446744073709551615+}\r\n") == [
                .fatal(.stringTooLong(command: "NOOP", limit: 65536))
            ])
        #expect(
            ParseFixture.events("PUTSCRIPT \"a\" {4294967296+}\r\n") == [
                .fatal(.literalTooLarge(command: "PUTSCRIPT", declared: 4_294_967_296, limit: 1 << 20))
            ])
    }

    // MARK: - Incomplete input

    static let incomplete = [
        "CAPABILITY",
        "CAPABILITY\r",
        "NOOP \"abc",
        "NOOP {5+}",
        "NOOP {5+}\r\n",
        "NOOP {5+}\r\nab",
        "PUTSCRIPT \"a\" {10+}\r\nkeep;\r\nxxx",
        "PUTSCRIPT \"a\" {3+}\r\nabc",
        "RENAMESCRIPT {1+}\r\na ",
    ]

    @Test("incomplete input yields nothing yet and counts as partial", arguments: incomplete)
    func incompleteInput(input: String) {
        for size in [nil, 1] as [Int?] {
            let (events, parser) = ParseFixture.run(b(input), chunkSize: size)
            #expect(events.isEmpty)
            #expect(parser.hasPartialInput)
        }
    }

    @Test("no partial input between commands")
    func noPartialInput() {
        let (events, parser) = ParseFixture.run(b("NOOP\r\nLOGOUT\r\n"))
        #expect(events.count == 2)
        #expect(!parser.hasPartialInput)
        #expect(!CommandParser().hasPartialInput)
    }

    // MARK: - Hostile input

    @Test("a refused command's literal is consumed, never executed")
    func refusedLiteralNotExecuted() {
        let input = "FOO {8+}\r\nLOGOUT\r\n\r\nGETSCRIPT foo {8+}\r\nLOGOUT\r\n\r\nCAPABILITY\r\n"
        #expect(
            ParseFixture.events(input) == [
                .invalid(.unknownCommand(b("FOO")), command: nil),
                .invalid(.badArguments(command: "GETSCRIPT", reason: "expected a string"), command: "GETSCRIPT"),
                .command(.capability),
            ])
    }

    @Test("a script literal over maxScriptSize is consumed without buffering")
    func scriptLiteralTooLarge() {
        let limits = ParserLimits(maxScriptSize: 10)
        let input = "PUTSCRIPT \"a\" {20+}\r\nLOGOUT\r\nLOGOUT\r\nxxxx\r\nCAPABILITY\r\n"
        #expect(
            ParseFixture.events(input, limits: limits) == [
                .invalid(.literalTooLarge(command: "PUTSCRIPT", declared: 20, limit: 10), command: "PUTSCRIPT"),
                .command(.capability),
            ])
        #expect(
            ParseFixture.events("CHECKSCRIPT {11}\r\nkeep;keep;x\r\n", limits: limits) == [
                .invalid(.literalTooLarge(command: "CHECKSCRIPT", declared: 11, limit: 10), command: "CHECKSCRIPT")
            ])
        #expect(
            ParseFixture.events("CHECKSCRIPT {10}\r\nkeep;keep;\r\n", limits: limits) == [
                .command(.checkScript(content: b("keep;keep;")))
            ])
    }

    @Test("a non-script literal over maxOtherLiteralSize is refused")
    func otherLiteralTooLarge() {
        let limits = ParserLimits(maxOtherLiteralSize: 4)
        #expect(
            ParseFixture.events("GETSCRIPT {5+}\r\nabcde\r\nLOGOUT\r\n", limits: limits) == [
                .invalid(.stringTooLong(command: "GETSCRIPT", limit: 4), command: "GETSCRIPT"),
                .command(.logout),
            ])
    }

    @Test("memory stays bounded while a huge refused literal streams in")
    func hugeLiteralBounded() {
        let limits = ParserLimits(maxScriptSize: 1000)
        var parser = CommandParser(limits: limits)
        parser.append(b("PUTSCRIPT \"a\" {10485760+}\r\n"))
        #expect(parser.next() == nil)
        let chunk = [UInt8](repeating: 0x41, count: 65536)
        for _ in 0..<160 {
            parser.append(chunk)
            #expect(parser.next() == nil)
            #expect(parser.bufferedByteCount <= 65536)
        }
        parser.append(b("\r\nLOGOUT\r\n"))
        #expect(
            parser.next()
                == .invalid(
                    .literalTooLarge(command: "PUTSCRIPT", declared: 10_485_760, limit: 1000), command: "PUTSCRIPT"))
        #expect(parser.next() == .command(.logout))
    }

    @Test("a declared literal length is not allocated before its bytes arrive")
    func noAllocationFromDeclaredLength() {
        var parser = CommandParser(limits: ParserLimits(maxScriptSize: 1 << 30))
        parser.append(b("PUTSCRIPT \"a\" {1000000000+}\r\nkeep;"))
        #expect(parser.next() == nil)
        #expect(parser.bufferedByteCount < 100)
        #expect(parser.hasPartialInput)
    }

    @Test("an over-long line is refused and the next command is read")
    func lineTooLong() {
        let limits = ParserLimits(maxLineLength: 100)
        let line = "NOOP \"" + String(repeating: "x", count: 200) + "\"\r\n"
        #expect(
            ParseFixture.events(line + "LOGOUT\r\n", limits: limits) == [
                .invalid(.lineTooLong(limit: 100), command: "NOOP"),
                .command(.logout),
            ])
    }

    @Test("an over-long line's literal is still consumed as part of the command")
    func lineTooLongWithLiteral() {
        let limits = ParserLimits(maxLineLength: 100)
        let input =
            "PUTSCRIPT \"" + String(repeating: "a", count: 300) + "\" {8+}\r\nLOGOUT\r\n\r\nCAPABILITY\r\n"
        #expect(
            ParseFixture.events(input, limits: limits) == [
                .invalid(.lineTooLong(limit: 100), command: "PUTSCRIPT"),
                .command(.capability),
            ])
        // The over-long part may also come after a literal.
        let second = "NOOP {2+}\r\nab" + String(repeating: " ", count: 300) + "{6}\r\nLOGOUT\r\nLOGOUT\r\n"
        #expect(
            ParseFixture.events(second, limits: limits) == [
                .invalid(.lineTooLong(limit: 100), command: "NOOP"),
                .command(.logout),
            ])
    }

    @Test("a malformed literal header at the end of an over-long line is fatal")
    func lineTooLongMalformedHeader() {
        let limits = ParserLimits(maxLineLength: 100)
        let input = "NOOP " + String(repeating: "x", count: 300) + " {" + String(repeating: "0", count: 40) + "+}\r\n"
        #expect(ParseFixture.events(input, limits: limits) == [.fatal(.malformedLiteral)])
    }

    @Test("10 MB of garbage without LF keeps the buffer within maxLineLength + one chunk")
    func garbageBounded() {
        let limits = ParserLimits(maxLineLength: 65536)
        var parser = CommandParser(limits: limits)
        var chunk = [UInt8](repeating: 0, count: 65536)
        for i in chunk.indices {
            chunk[i] = UInt8(truncatingIfNeeded: i &* 31 &+ 7) | 0x01
            if chunk[i] == 0x0A { chunk[i] = 0x0B }
        }
        var maximum = 0
        for _ in 0..<160 {
            parser.append(chunk)
            maximum = max(maximum, parser.bufferedByteCount)
            #expect(parser.next() == nil)
            maximum = max(maximum, parser.bufferedByteCount)
        }
        #expect(maximum <= limits.maxLineLength + chunk.count)
        parser.append(b("\r\nLOGOUT\r\n"))
        #expect(parser.next() == .invalid(.lineTooLong(limit: 65536), command: nil))
        #expect(parser.next() == .command(.logout))
    }

    @Test("garbage fed byte by byte stays bounded too")
    func garbageByteByByte() {
        var parser = CommandParser(limits: ParserLimits(maxLineLength: 1000))
        for i in 0..<20000 {
            parser.append(CollectionOfOne(UInt8(0x41 + i % 26)))
            #expect(parser.next() == nil)
        }
        #expect(parser.bufferedByteCount < 1100)
    }

    // MARK: - SASL responses

    static let saslResponses: [(String, ParseEvent)] = [
        ("\"AGZvbwBiYXI=\"\r\n", .saslResponse(b("AGZvbwBiYXI="))),
        ("\"\"\r\n", .saslResponse([])),
        ("{12+}\r\nAGZvbwBiYXI=\r\n", .saslResponse(b("AGZvbwBiYXI="))),
        ("\"*\"\r\n", .saslCancel),
        ("*\r\n", .saslCancel),
        ("{1}\r\n*\r\n", .saslCancel),
        ("AGZvbwBiYXI=\r\n", .invalid(.badSASLResponse, command: "AUTHENTICATE")),
        ("\r\n", .invalid(.badSASLResponse, command: "AUTHENTICATE")),
        ("\"a\" \"b\"\r\n", .invalid(.badSASLResponse, command: "AUTHENTICATE")),
        ("\"a\u{0}b\"\r\n", .invalid(.badSASLResponse, command: "AUTHENTICATE")),
        ("{1+}\r\na {1+}\r\nb\r\n", .invalid(.badSASLResponse, command: "AUTHENTICATE")),
    ]

    @Test("reads one SASL response, then commands again", arguments: saslResponses)
    func saslResponse(input: String, expected: ParseEvent) {
        for size in [nil, 1] as [Int?] {
            var parser = CommandParser()
            parser.expectSASLResponse()
            var events: [ParseEvent] = []
            let bytes = b(input + "LOGOUT\r\n")
            let step = size ?? bytes.count
            var offset = 0
            while offset < bytes.count {
                parser.append(bytes[offset..<min(offset + step, bytes.count)])
                while let event = parser.next() { events.append(event) }
                offset += step
            }
            #expect(events == [expected, .command(.logout)])
        }
    }

    @Test("a SASL literal over maxOtherLiteralSize is refused")
    func saslLiteralTooLarge() {
        var parser = CommandParser(limits: ParserLimits(maxOtherLiteralSize: 3))
        parser.expectSASLResponse()
        parser.append(b("{4+}\r\nabcd\r\nLOGOUT\r\n"))
        #expect(parser.next() == .invalid(.stringTooLong(command: "AUTHENTICATE", limit: 3), command: "AUTHENTICATE"))
        #expect(parser.next() == .command(.logout))
    }

    // MARK: - Sessions

    @Test("a whole session gives the same events whole and byte by byte")
    func wholeSession() {
        let session = """
            CAPABILITY\r
            AUTHENTICATE "PLAIN"\r
            {12+}\r
            AGZvbwBiYXI=\r
            HAVESPACE "main" 20\r
            PUTSCRIPT "main" {20+}\r
            require "fileinto";\n\r
            bogus\r
            LISTSCRIPTS\r
            SETACTIVE "main"\r
            GETSCRIPT {4}\r
            main\r
            RENAMESCRIPT "main" "other"\r
            CHECKSCRIPT {5+}\r
            keep;\r
            DELETESCRIPT "other"\r
            NOOP "resync"\r
            UNAUTHENTICATE\r
            LOGOUT\r

            """
        let events = ParseFixture.events(session)
        #expect(
            events == [
                .command(.capability),
                .command(.authenticate(mechanism: "PLAIN", initialResponse: nil)),
                .saslResponse(b("AGZvbwBiYXI=")),
                .command(.haveSpace(name: b("main"), size: 20)),
                .command(.putScript(name: b("main"), content: b("require \"fileinto\";\n"))),
                .invalid(.unknownCommand(b("bogus")), command: nil),
                .command(.listScripts),
                .command(.setActive(name: b("main"))),
                .command(.getScript(name: b("main"))),
                .command(.renameScript(oldName: b("main"), newName: b("other"))),
                .command(.checkScript(content: b("keep;"))),
                .command(.deleteScript(name: b("other"))),
                .command(.noop(tag: b("resync"))),
                .command(.unauthenticate),
                .command(.logout),
            ])
    }

    @Test("STARTTLS: bytes pipelined after the command are discarded")
    func discardAfterStartTLS() {
        var parser = CommandParser()
        parser.append(b("STARTTLS\r\nCAPABILITY\r\nNOOP"))
        #expect(parser.next() == .command(.startTLS))
        #expect(parser.discardBufferedInput() == 16)
        #expect(parser.next() == nil)
        #expect(!parser.hasPartialInput)
        parser.append(b("CAPABILITY\r\n"))
        #expect(parser.next() == .command(.capability))
    }

    @Test("limits can be changed between commands")
    func changeLimits() {
        var parser = CommandParser(limits: ParserLimits(maxScriptSize: 100))
        parser.append(b("CHECKSCRIPT {5+}\r\nkeep;\r\n"))
        #expect(parser.next() == .command(.checkScript(content: b("keep;"))))
        parser.limits.maxScriptSize = 4
        parser.append(b("CHECKSCRIPT {5+}\r\nkeep;\r\n"))
        #expect(
            parser.next()
                == .invalid(.literalTooLarge(command: "CHECKSCRIPT", declared: 5, limit: 4), command: "CHECKSCRIPT"))
    }

    @Test("many pipelined commands in one chunk")
    func pipelined() {
        var parser = CommandParser()
        parser.append(Array(repeating: b("NOOP\r\n"), count: 20000).joined())
        var count = 0
        while let event = parser.next() {
            #expect(event == .command(.noop(tag: nil)))
            count += 1
        }
        #expect(count == 20000)
        #expect(!parser.hasPartialInput)
    }
}
