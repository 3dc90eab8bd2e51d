import FuzzSupport

@testable import Posix
@testable import SieveCompiler

// Differential fuzz target for the `:regex` pre-scanner: `RegexSyntax.isKnownValid` may answer true only for
// patterns glibc's regcomp (REG_EXTENDED|REG_NOSUB, with and without REG_ICASE) compiles. A pattern the scanner
// accepts and regcomp refuses is a disagreement, reported as a crash. Built with `-enable-testing` (every debug
// build, and the fuzz builds) so that the internal scanner is reachable without making it public.

func fuzzOne(_ input: [UInt8]) {
    // Keys reach the scanner as Swift strings (valid UTF-8); other octets are replaced, as a script's would be
    // refused earlier.
    let pattern = String(decoding: input.prefix(4096), as: UTF8.self)
    guard RegexSyntax.isKnownValid(pattern) else { return }
    if pattern.utf8.contains(0) { fatalError("the scanner accepted a NUL") }
    for caseInsensitive in [false, true] {
        if let error = RegexCheck.compile(pattern, caseInsensitive: caseInsensitive) {
            fatalError("scanner says valid, regcomp (icase \(caseInsensitive)) says '\(error)': \(Array(pattern.utf8))")
        }
    }
}

fuzzMain(name: "FuzzRegex", fuzzOne)
