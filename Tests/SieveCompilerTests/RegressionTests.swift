import Testing

@testable import SieveCompiler

/// Cases where an early version disagreed with Pigeonhole's sievec (found by the corpus and by
/// differential fuzzing); each is sievec's verdict.
@Suite("Regressions against sievec")
struct RegressionTests {
    @Test(
        "verdicts",
        arguments: [
            Case("redirect \".a@\r\n example.com\";", valid: true),
            Case("redirect \"a\t@example.com\";", valid: true),
            Case("redirect \"a b@example.com\";", valid: false),
            Case("redirect \"\\\"\\\"@example.com\";", valid: false, "missing local part"),
            Case("redirect \"user(comment)@example.com\";", valid: true),
            Case("redirect \"a..b@example.com\";", valid: true),
            Case("require \"enotify\"; notify \"mailto:a@example.com%2Cb@example.com\";", valid: true),
            Case("require \"enotify\"; notify \"mailto:a@example.com?subject\";", valid: true),
            Case("require \"enotify\"; notify \"mailto:a@example.com?&\";", valid: false, "'&'"),
            Case("require \"enotify\"; notify \"mailto:a@example.com?subject=a?b\";", valid: false, "'?'"),
            Case("require \"enotify\"; notify \"mailto:a@example.com?subject=%C3%A9\";", valid: false, "body"),
            Case("require \"enotify\"; notify \"mailto:a@example.com?from=x@y.z\";", valid: true, "reserved"),
            Case("require \"editheader\"; addheader \"\" \"v\"; deleteheader \"\";", valid: true),
            Case("require \"editheader\"; deleteheader [\"a\", \"b\"] \"c\";", valid: true),
            Case("require \"ihave\"; if ihave \"variables\" { set \"a\"; }", valid: true),
            Case("require \"ihave\"; if ihave \"encoded-character\" { frobnicate; }", valid: true),
            Case("require \"ihave\"; if ihave \"fileinto\" { frobnicate; }", valid: false),
            Case("require \"ihave\"; if ihave \"fileinto\" { keep; } else { keep \"x\"; }", valid: false),
            Case("require \"ihave\"; if ihave \"fileinto\" { keep; } fileinto \"x\";", valid: true),
            Case("require \"envelope\"; if envelope :all \"auth\" \"x\" { keep; }", valid: false, "non-address"),
            Case(
                "require [\"variables\", \"encoded-character\"]; set \"${hex:41}\" \"x\";", valid: false,
                "'${hex:41}'"),
            Case("require [\"imap4flags\", \"variables\"]; setflag \"v\" \"\\\\Seen\" 1;", valid: true),
            Case("require \"vacation-seconds\"; vacation :seconds 60 \"x\";", valid: true, "under the minimum"),
            Case("require \"vnd.dovecot.pipe\"; pipe \"x\" [\"a\nb\"];", valid: false, "argument"),
            Case("require \"vnd.dovecot.pipe\"; pipe \"x y\" \"a\tb\";", valid: true),
            Case("require \"vnd.dovecot.pipe\"; pipe \"x\ty\";", valid: false, "program name"),
            Case("require \"include\"; include :once :once :optional :optional \"x\";", valid: true),
            Case("require \"vacation\"; vacation :mime :mime \"x\";", valid: false, "duplicate :mime"),
            Case("if header :is \"subject\" \"a\rb\" { keep; }", valid: false, "carriage-return"),
            Case("require \"fileinto\"; fileinto text:\nfoo\n.", valid: false, "multi-line"),
            Case("require \"special-use\"; if specialuse_exists \"a\" \"b\" \"c\" { keep; }", valid: true),
            // A trailing backslash inside an address comment once read past the end of the string.
            Case("require \"notify\"; notify :method \"mailto\" :options \"(/\\\\\";", valid: false),
            Case("redirect \"\\\"a\\\\\";", valid: false),
            Case("require [\"imap4flags\", \"variables\"]; if hasflag \"1\" \"x\" { keep; }", valid: true),
            Case("require [\"special-use\", \"fileinto\"]; fileinto :specialuse \"\\\\\" \"x\";", valid: true),
            Case("require [\"special-use\", \"fileinto\"]; fileinto :specialuse \"\\\\*\" \"x\";", valid: false),
        ])
    func verdicts(_ c: Case) { check(c) }

    @Test("the error line of unterminated constructs is where the file ends")
    func endOfFileLines() {
        #expect(compile("keep;\n/* open\n\n").errors.first?.line == 4)
        #expect(compile("keep \"open\n\n").errors.first?.line == 3)
    }
}
