import Testing

@testable import SieveCompiler

@Suite("Lexer")
struct LexerTests {
    /// A token as the tests compare it: strings resolved to their decoded bytes.
    enum Lexed: Equatable, CustomStringConvertible {
        case kind(Token.Kind)
        case identifier(String)
        case tag(String)
        case string([UInt8], multiline: Bool)

        static func number(_ value: UInt64) -> Lexed { .kind(.number(value)) }
        static let leftBracket = Lexed.kind(.leftBracket)
        static let rightBracket = Lexed.kind(.rightBracket)
        static let leftParen = Lexed.kind(.leftParen)
        static let rightParen = Lexed.kind(.rightParen)
        static let leftBrace = Lexed.kind(.leftBrace)
        static let rightBrace = Lexed.kind(.rightBrace)
        static let comma = Lexed.kind(.comma)
        static let semicolon = Lexed.kind(.semicolon)

        var description: String {
            switch self {
            case .kind(let k): return "\(k)"
            case .identifier(let name): return "identifier(\(name))"
            case .tag(let name): return "tag(\(name))"
            case .string(let bytes, let multiline):
                return "string(\"\(String(decoding: bytes, as: UTF8.self))\", \(multiline))"
            }
        }
    }

    /// Lexes `source` into tokens (without the final end of file) and the diagnostics.
    static func lex(_ source: String) -> ([Lexed], [Diagnostic]) {
        let sink = DiagnosticSink(maxErrors: 10)
        var lexer = Lexer(bytes: Array(source.utf8), limits: CompileLimits(), diagnostics: sink)
        var kinds: [Lexed] = []
        while true {
            let t = lexer.next()
            if t.kind == .endOfFile { break }
            switch t.kind {
            case .string(let span): kinds.append(.string(Array(lexer.bytes(of: span)), multiline: span.isMultiline))
            case .identifier(let id): kinds.append(.identifier(lexer.names.name(id)))
            case .tag(let id): kinds.append(.tag(lexer.names.name(id)))
            default: kinds.append(.kind(t.kind))
            }
        }
        return (kinds, sink.diagnostics)
    }

    static func string(_ s: String) -> Lexed { .string(Array(s.utf8), multiline: false) }

    @Test(
        "tokens",
        arguments: [
            ("keep;", [Lexed.identifier("keep"), .semicolon]),
            ("KeEp ;", [.identifier("keep"), .semicolon]),
            (":Is :contains", [.tag("is"), .tag("contains")]),
            ("[\"a\", \"b\"]", [.leftBracket, string("a"), .comma, string("b"), .rightBracket]),
            ("( ) { }", [.leftParen, .rightParen, .leftBrace, .rightBrace]),
            ("10 1K 2m 3G", [.number(10), .number(1024), .number(2 << 20), .number(3 << 30)]),
            ("18446744073709551615", [.number(UInt64.max)]),
            ("\"a\\\"b\\\\c\\d\"", [string("a\"b\\cd")]),
            ("# comment\nkeep", [.identifier("keep")]),
            ("/* multi\n line */ stop", [.identifier("stop")]),
            ("/* a ** b */ stop", [.identifier("stop")]),
            ("_x1", [.identifier("_x1")]),
            ("keep\r;", [.identifier("keep"), .semicolon]),
        ])
    func tokens(source: String, expected: [Lexed]) {
        let (kinds, diagnostics) = Self.lex(source)
        #expect(kinds == expected)
        #expect(diagnostics.isEmpty)
    }

    @Test(
        "multi-line strings: dot-stuffing, terminator, comment after text:",
        arguments: [
            ("text:\nfoo\n.\n", "foo\n"),
            ("text:\r\nfoo\r\n.\r\n", "foo\r\n"),
            ("text: # note\nfoo\n.\n", "foo\n"),
            ("text:\n..x\n.\n", ".x\n"),
            ("text:\n. \n.\n", ". \n"),
            ("text:   \n\n.\n", "\n"),
        ])
    func multiline(source: String, expected: String) {
        let (kinds, diagnostics) = Self.lex(source)
        #expect(kinds == [.string(Array(expected.utf8), multiline: true)])
        #expect(diagnostics.isEmpty)
    }

    @Test(
        "lexical errors",
        arguments: [
            ("\u{FEFF}keep;", "byte order mark", 1),
            ("keep \"a\0b\";", "NUL", 1),
            ("\"abc", "end of file before end of quoted string", 1),
            ("\n\"abc\n", "end of file before end of quoted string", 3),
            ("/* x\n", "bracket comment", 2),
            ("text:\nfoo\n", "multi-line string", 3),
            ("text: x\nfoo\n.\n", "after 'text:'", 1),
            ("18446744073709551616", "exceeds integer limits", 1),
            ("18014398509481984K", "exceeds integer limits", 1),
            ("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "impossibly long identifier", 1),
            ("@", "unexpected character", 1),
            ("\"a\rb\"", "carriage-return", 1),
        ])
    func errors(source: String, fragment: String, line: Int) {
        let (_, diagnostics) = Self.lex(source)
        let first = diagnostics.first { $0.severity == .error }
        #expect(first?.message.contains(fragment) == true, "\(diagnostics.map(\.message))")
        #expect(first?.line == line)
    }

    @Test("a hash comment at end of file without newline is only a warning")
    func hashCommentAtEnd() {
        let (kinds, diagnostics) = Self.lex("keep; # done")
        #expect(kinds == [.identifier("keep"), .semicolon])
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?.severity == .warning)
    }

    @Test("identifiers of exactly 32 characters are fine")
    func identifierLimit() {
        let (kinds, diagnostics) = Self.lex(String(repeating: "a", count: 32))
        #expect(kinds.count == 1)
        #expect(diagnostics.isEmpty)
    }

    @Test("columns count octets from 1")
    func columns() {
        let sink = DiagnosticSink(maxErrors: 5)
        var lexer = Lexer(bytes: Array("  keep\n\tstop".utf8), limits: CompileLimits(), diagnostics: sink)
        let keep = lexer.next()
        let stop = lexer.next()
        #expect((keep.line, keep.column) == (1, 3))
        #expect((stop.line, stop.column) == (2, 2))
    }
}
