import SieveCompiler
import Testing

@testable import SieveInterpreter

@Suite("Arguments: tags, their values and positional arguments")
struct ArgumentsTests {
    static let valued = [
        "comparator", "count", "value", "content", "zone", "index", "param", "over", "under", "days", "seconds",
        "subject", "from", "addresses", "handle", "flags", "importance", "options", "message", "method", "id",
        "specialuse", "mailboxid", "first", "header", "uniqueid",
    ]

    @Test("the tags that take a value, and only those")
    func takesValue() {
        for tag in Self.valued { #expect(Arguments.takesValue(tag), "\(tag)") }
        for tag in [
            "is", "contains", "matches", "regex", "all", "localpart", "domain", "user", "detail", "copy", "create",
            "last", "mime", "anychild", "raw", "text", "low", "normal", "high", "once", "global", "personal", "zones",
            "ids", "comparators", "", "i", "headers", "uniqueids",
        ] {
            #expect(!Arguments.takesValue(tag), "\(tag)")
        }
    }

    @Test("a valued tag takes the next argument unless it is a tag; the others are positional")
    func split() {
        let args = Arguments([
            .tag("comparator"), .string(Array("i;octet".utf8)), .tag("contains"), .tag("index"), .tag("last"),
            .stringList([Array("subject".utf8)]), .string(Array("x".utf8)),
        ])
        #expect(args.string("comparator") == Array("i;octet".utf8))
        #expect(args.has("contains") && args.has("last") && args.has("index") && !args.has("is"))
        #expect(args.number("index") == nil)
        #expect(args.strings(at: 0) == [Array("subject".utf8)])
        #expect(args.strings(at: 1) == [Array("x".utf8)])
        #expect(args.strings(at: 2).isEmpty)
        #expect(args.positional.count == 2)
    }
}
