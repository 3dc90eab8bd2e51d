import Testing

@testable import SieveCompiler

@Suite("Validator: core RFC 5228")
struct ValidatorTests {
    @Test(
        "core commands and tests",
        arguments: [
            Case("keep;", valid: true),
            Case("discard; stop;", valid: true),
            Case("redirect \"a@example.com\";", valid: true),
            Case("redirect \"John Doe <a@example.com>\";", valid: true),
            Case("redirect \"a@[192.0.2.1]\";", valid: true),
            Case("redirect \"\\\"a b\\\"@example.com\";", valid: true),
            Case("redirect \"a@b.c.\";", valid: false, "invalid or missing domain"),
            Case("redirect \"foo\";", valid: false, "expecting '@'"),
            Case("redirect \"jörg@example.com\";", valid: false, "invalid local part"),
            Case("if header :is \"subject\" \"x\" { keep; }", valid: true),
            Case("if header :comparator \"i;octet\" :matches [\"to\",\"cc\"] \"*x*\" { keep; }", valid: true),
            Case("if header :comparator \"I;OCTET\" :is \"a\" \"b\" { keep; }", valid: true),
            Case("if header :is :contains \"a\" \"b\" { keep; }", valid: false, "duplicate MATCH-TYPE"),
            Case(
                "if header :comparator \"i;octet\" :comparator \"i;octet\" :is \"a\" \"b\" { keep; }", valid: false,
                "duplicate :comparator"),
            Case("if header :comparator \"i;foo\" :is \"a\" \"b\" { keep; }", valid: false, "unknown comparator"),
            Case("if header :comparator [\"i;octet\"] :is \"a\" \"b\" { keep; }", valid: false, "requires a string"),
            Case("if header \"a\" :is \"b\" { keep; }", valid: false, "unexpected tagged argument ':is'"),
            Case("if header \"a\" \"b\" \"c\" { keep; }", valid: false, "requires 2 positional"),
            Case("if header \"a\" { keep; }", valid: false, "requires 2 positional"),
            Case("if address :all :is \"from\" \"a\" { keep; }", valid: true),
            Case("if address :localpart :domain \"from\" \"a\" { keep; }", valid: false, "duplicate ADDRESS-PART"),
            Case("if address \"subject\" \"a\" { keep; }", valid: false, "not allowed for the address test"),
            Case("if exists \"a:b\" { keep; }", valid: true, "header field name 'a:b' is invalid"),
            Case("if size :over 1K { keep; }", valid: true),
            Case("if size 1 { keep; }", valid: false, ":under or the :over"),
            Case("if size :over [\"1\"] { keep; }", valid: false, "expects a number"),
            Case("if size :over 1 :under 2 { keep; }", valid: false, "unexpected tagged argument"),
            Case("if not (true) { keep; }", valid: false, "requires one sub-test"),
            Case("if allof true { keep; }", valid: false, "requires a list of sub-tests"),
            Case(
                "if allof (true, exists \"x\") { keep; } elsif anyof (false, true) { stop; } else { discard; }",
                valid: true),
            Case("if keep { keep; }", valid: false, "attempted to use command 'keep' as test"),
            Case("if true { keep; } else false { keep; }", valid: false, "accepts no sub-tests"),
            Case("elsif true { keep; }", valid: false, "must follow an if"),
            Case("if true;", valid: false, "requires a command block"),
            Case("keep {}", valid: false, "does not accept a command block"),
            Case("stop true;", valid: false, "accepts no sub-tests"),
            Case("keep :foo;", valid: false, "unknown tagged argument ':foo'"),
            Case("keep; require \"fileinto\";", valid: false, "require commands can only be placed"),
            Case(
                "require \"FILEINTO\";", valid: false, "unknown Sieve capability 'FILEINTO' (did you mean 'fileinto'?)"),
            Case("require \"comparator-i;octet\"; keep;", valid: true),
            Case("require [\"fileinto\", \"fileinto\"]; require \"envelope\";", valid: true),
        ])
    func core(_ c: Case) { check(c) }

    @Test(
        "Pigeonhole folds constant tests: dead branches are not validated",
        arguments: [
            Case("if false { keep \"x\"; }", valid: true),
            Case("if false { frobnicate; }", valid: true),
            Case("if true { keep \"x\"; }", valid: false),
            Case("if false { keep; } else { keep \"x\"; }", valid: false),
            Case("if true { keep; } else { discard \"x\"; }", valid: true),
            Case("if true { keep; } elsif frob \"a\" { frob; }", valid: true),
            Case("if anyof (true, frob) { keep; }", valid: true),
            Case("if allof (false, frob) { keep \"x\"; }", valid: true),
            Case("if not not true { keep; } else { keep \"x\"; }", valid: true),
            Case("if exists \"a\" { keep; } else { discard \"x\"; }", valid: false),
            Case("if true { keep; } elsif { discard; }", valid: false, "requires one sub-test"),
        ])
    func deadCode(_ c: Case) { check(c) }

    @Test("an unknown command is reported once, with a suggestion")
    func unknownOnce() {
        let result = compile("fileint \"a\";\nfileint \"b\";\nif foo { keep; }")
        #expect(result.errors.count == 2)
        #expect(result.errors[0].message == "unknown command 'fileint' (did you mean 'fileinto'?)")
        #expect(result.errors[1].line == 3)
    }

    @Test("a command of an extension not required names the require to add")
    func missingRequire() {
        #expect(
            firstError("fileinto \"x\";")
                == "unknown command 'fileinto' (it needs the 'fileinto' extension: add require \"fileinto\";)")
        #expect(
            firstError("redirect :copy \"a@b.c\";")?.contains("add require \"copy\"") == true)
    }

    @Test("validation errors are not reported when parsing fails")
    func phases() {
        let result = compile("fileint;\nkeep")
        #expect(result.errors.count == 1)
        #expect(result.errors[0].line == 2)
    }

    @Test("warnings: code after stop, too many redirects")
    func extraWarnings() {
        let afterStop = compile("stop;\nkeep;")
        #expect(afterStop.isValid)
        #expect(afterStop.warnings.first?.message.contains("after 'stop'") == true)
        let redirects = compile(String(repeating: "redirect \"a@b.c\";\n", count: 5))
        #expect(redirects.isValid)
        #expect(redirects.warnings.first?.message.contains("5 redirect commands") == true)
        #expect(compile(String(repeating: "redirect \"a@b.c\";\n", count: 4)).warnings.isEmpty)
    }

    @Test("assigning one variable again and again: still one variable, and a bad name is reported every time")
    func repeatedAssignments() {
        var script = "require [\"variables\", \"imap4flags\"];\n"
        for _ in 0..<300 { script += "set \"list\" \"x\";\nset \"List\" \"y\";\n" }
        #expect(compile(script).isValid)
        let limits = CompileLimits(maxVariables: 2)
        let three = "require \"variables\"; set \"a\" \"1\"; set \"a\" \"2\"; set \"b\" \"3\"; set \"c\" \"4\";"
        #expect(compile(three, limits: limits).errors.first?.message.contains("number of variables") == true)
        let long = String(repeating: "v", count: 65)
        let twice = compile("require \"variables\";\nset \"\(long)\" \"x\";\nset \"\(long)\" \"y\";")
        #expect(twice.errors.map(\.line) == [2, 3])
        let invalid = compile("require \"variables\";\nset \"a-b\" \"x\";\nset \"a-b\" \"y\";")
        #expect(invalid.errors.map(\.line) == [2, 3])
    }
}
