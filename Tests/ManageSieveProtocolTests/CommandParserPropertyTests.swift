import Testing

@testable import ManageSieveProtocol

/// Random protocol-shaped inputs: whatever the split, the parser yields the same events and stays bounded.
@Suite("CommandParser properties")
struct CommandParserPropertyTests {
    /// A small deterministic generator (64-bit LCG), so failures reproduce.
    struct Generator {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
    }

    static let pieces: [String] = [
        "NOOP", "PUTSCRIPT", "CHECKSCRIPT", "AUTHENTICATE \"PLAIN\"", "GETSCRIPT", "HAVESPACE", "LOGOUT\r\n",
        " ", " ", " ", "\"", "\"", "\\", "{", "}", "+", "-", "0", "1", "3", "9", "\r\n", "\r\n", "\n", "\r", "\u{0}",
        "abc", "xyzzy", "*", "{3+}\r\n", "{0}\r\n", "{2}\r\n", "{7+}\r\n", "{20+}\r\n", "{60+}\r\n", "{007+}",
        "{12345678901234567890}", "\"quoted\"", String(repeating: "L", count: 37),
        "\r\nPUTSCRIPT \"a\" {20+}\r\n", "\r\nCHECKSCRIPT ", "\r\nNOOP \"", "\r\nNOOP \"a\rb\"\r\n", "\"long quoted\"",
        "\r\nAUTHENTICATE \"PLAIN\"\r\n\"AGZv\"\r\n", "\r\nAUTHENTICATE \"PLAIN\"\r\n",
    ]

    static let limits = ParserLimits(
        maxLineLength: 40, maxScriptSize: 8, maxOtherLiteralSize: 5, maxQuotedLength: 6, maxDiscardableLiteral: 50)

    static func input(_ random: inout Generator) -> [UInt8] {
        var input: [UInt8] = []
        for _ in 0..<(5 + random.next(60)) {
            input += Array(Self.pieces[random.next(Self.pieces.count)].utf8)
        }
        return input
    }

    @Test("the random inputs reach every kind of event")
    func coverage() {
        var kinds = Set<String>()
        for seed in 0..<300 {
            var random = Generator(state: UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 &+ 1)
            for event in ParseFixture.run(Self.input(&random), limits: Self.limits).events {
                switch event {
                case .command(let command): kinds.insert("command " + command.name)
                case .saslResponse: kinds.insert("saslResponse")
                case .saslCancel: kinds.insert("saslCancel")
                case .invalid(let error, _): kinds.insert("invalid " + String(describing: error).prefix { $0 != "(" })
                case .fatal(let error): kinds.insert("fatal " + String(describing: error).prefix { $0 != "(" })
                }
            }
        }
        let expected: Set<String> = [
            "command NOOP", "command LOGOUT", "command AUTHENTICATE", "saslResponse", "invalid lineTooLong",
            "invalid literalTooLarge", "invalid stringTooLong", "invalid badArguments", "invalid unknownCommand",
            "invalid badQuotedString", "invalid emptyCommand", "invalid nulByte", "fatal malformedLiteral",
        ]
        #expect(
            expected.subtracting(kinds).isEmpty,
            "missing: \(expected.subtracting(kinds).sorted()); seen \(kinds.sorted())")
    }

    @Test("random inputs give the same events fed whole, byte by byte and in random chunks", arguments: 0..<300)
    func sameEventsWhateverTheSplit(seed: Int) {
        var random = Generator(state: UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 &+ 1)
        let input = Self.input(&random)
        let whole = ParseFixture.run(input, limits: Self.limits).events
        let byByte = ParseFixture.run(input, limits: Self.limits, chunkSize: 1)
        #expect(byByte.events == whole)
        #expect(byByte.parser.bufferedByteCount <= 2 * 40 + 8 + 5 + 64)

        // Random chunk sizes.
        var parser = CommandParser(limits: Self.limits)
        var events: [ParseEvent] = []
        var offset = 0
        while offset < input.count {
            let end = min(input.count, offset + 1 + random.next(17))
            parser.append(input[offset..<end])
            while let event = parser.next() {
                events.append(event)
                if case .command(.authenticate(_, nil)) = event {
                    parser.expectSASLResponse()
                }
            }
            offset = end
        }
        #expect(events == whole)
    }
}
