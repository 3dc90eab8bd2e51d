import Testing

@testable import ManageSieveProtocol

/// Feeds input to a fresh parser whole, byte by byte and in other chunk sizes, as swift-nio-imap's
/// ParseFixture does: every split must give the same events.
enum ParseFixture {
    /// Feeds `input` in chunks of `chunkSize` (nil: all at once), calling `next()` after each chunk until nil.
    /// After an AUTHENTICATE without an initial response, the next line is read as a SASL response.
    static func run(
        _ input: [UInt8],
        limits: ParserLimits = ParserLimits(),
        chunkSize: Int? = nil
    ) -> (events: [ParseEvent], parser: CommandParser) {
        var parser = CommandParser(limits: limits)
        var events: [ParseEvent] = []
        let size = max(1, chunkSize ?? input.count)
        var offset = 0
        repeat {
            let end = min(offset + size, input.count)
            parser.append(input[offset..<end])
            while let event = parser.next() {
                events.append(event)
                if case .command(.authenticate(_, nil)) = event {
                    parser.expectSASLResponse()
                }
            }
            offset = end
        } while offset < input.count
        return (events, parser)
    }

    /// The events for `input`, checked to be identical whatever the split.
    static func events(
        _ input: [UInt8],
        limits: ParserLimits = ParserLimits(),
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> [ParseEvent] {
        let whole = run(input, limits: limits).events
        for size in [1, 2, 3, 7, 64] {
            let split = run(input, limits: limits, chunkSize: size).events
            #expect(split == whole, "fed in chunks of \(size)", sourceLocation: sourceLocation)
        }
        return whole
    }

    static func events(
        _ input: String,
        limits: ParserLimits = ParserLimits(),
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> [ParseEvent] {
        events(Array(input.utf8), limits: limits, sourceLocation: sourceLocation)
    }
}

extension Array where Element == UInt8 {
    /// Test shorthand: the UTF-8 octets of a string.
    static func of(_ text: String) -> [UInt8] {
        Array(text.utf8)
    }
}
