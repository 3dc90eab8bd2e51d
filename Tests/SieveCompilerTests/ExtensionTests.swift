import Testing

@testable import SieveCompiler

@Suite("Extensions")
struct ExtensionTests {
    @Test(
        "fileinto, reject, envelope, copy, mailbox, imap4flags, special-use",
        arguments: [
            Case("require \"fileinto\"; fileinto \"INBOX.x\";", valid: true),
            Case("require \"fileinto\"; fileinto [\"a\"];", valid: false, "expects a string as argument 1"),
            Case("require \"fileinto\"; fileinto \"a\" \"b\";", valid: false, "requires 1 positional"),
            Case("require \"fileinto\"; fileinto \"caf\u{00E9}\";", valid: true),
            Case("require [\"fileinto\", \"copy\"]; fileinto :copy \"a\"; redirect :copy \"a@b.c\";", valid: true),
            Case("require [\"fileinto\", \"copy\"]; fileinto :copy :copy \"a\";", valid: false, "duplicate :copy"),
            Case("require \"fileinto\"; fileinto :copy \"a\";", valid: false, "add require \"copy\""),
            Case(
                "require [\"fileinto\", \"mailbox\"]; fileinto :create \"a\"; if mailboxexists \"a\" { keep; }",
                valid: true),
            Case("require \"reject\"; reject text:\nsorry\n.\n;", valid: true),
            Case("require \"envelope\"; if envelope :domain \"from\" \"x\" { keep; }", valid: true),
            Case("require \"envelope\"; if envelope \"frm\" \"a\" { keep; }", valid: false, "envelope part 'frm'"),
            Case(
                "require [\"imap4flags\", \"fileinto\"]; addflag \"\\\\Seen\"; fileinto :flags \"\\\\Seen\" \"a\"; "
                    + "if hasflag \"\\\\Seen\" { removeflag \"\\\\Seen\"; }", valid: true),
            Case("require \"imap4flags\"; setflag \"a\" \"b\";", valid: false, "variables extension is active"),
            Case("require [\"imap4flags\", \"variables\"]; setflag \"v\" \"\\\\Seen\";", valid: true),
            Case("require \"imap4flags\"; setflag \"\\\\Foo\";", valid: true, "IMAP flag '\\Foo'"),
            Case("require [\"imap4flags\", \"imapflags\"];", valid: false, "cannot be used together"),
            Case("require \"imapflags\"; mark; unmark; setflag \"a\";", valid: true, "deprecated"),
            Case("require [\"special-use\", \"fileinto\"]; fileinto :specialuse \"\\\\Junk\" \"Spam\";", valid: true),
            Case(
                "require [\"special-use\", \"fileinto\"]; fileinto :specialuse \"Junk\" \"Spam\";", valid: false,
                "special-use flag"),
            Case("require \"special-use\"; if specialuse_exists \"Junk\" { keep; }", valid: true, "special-use flag"),
        ])
    func delivery(_ c: Case) { check(c) }

    @Test(
        "vacation, vacation-seconds, enotify, notify",
        arguments: [
            Case(
                "require \"vacation\"; vacation :days 7 :subject \"away\" :from \"me@example.com\" "
                    + ":addresses [\"a@b.c\"] :mime :handle \"h\" \"reason\";", valid: true),
            Case("require \"vacation\"; vacation :days 0 \"x\";", valid: true, "vacation period"),
            Case("require \"vacation\"; vacation :days 1 :days 2 \"x\";", valid: false, "duplicate :days"),
            Case("require \"vacation\"; vacation :seconds 60 \"x\";", valid: false, "add require \"vacation-seconds\""),
            Case("require \"vacation-seconds\"; vacation :seconds 60 \"x\";", valid: true),
            Case("require \"vacation\"; vacation :from \"not an address\" \"x\";", valid: false, "is invalid"),
            Case("require \"enotify\"; notify :importance \"1\" :message \"m\" \"mailto:a@example.com\";", valid: true),
            Case(
                "require \"enotify\"; notify :importance \"4\" \"mailto:a@example.com\";", valid: false, ":importance"),
            Case("require \"enotify\"; notify \"xmpp:a@example.com\";", valid: false, "not supported"),
            Case("require \"enotify\"; notify \"mailto:a@example.com,b@example.com\";", valid: false, "','"),
            Case("require \"enotify\"; notify \"mailto:a@example.com?subject=hi&body=x\";", valid: true),
            Case("require \"enotify\"; notify \"mailto:a%zz@example.com\";", valid: false, "% encoding"),
            Case("require \"enotify\"; notify \"mailto:\";", valid: true, "no recipients"),
            Case("require \"enotify\"; notify :options \"x\" \"mailto:a@example.com\";", valid: false, "option"),
            Case("require \"enotify\"; if valid_notify_method \"mailto:a@b.c\" { keep; }", valid: true),
            Case("require [\"enotify\", \"variables\"]; set :encodeurl \"a\" \"b c\";", valid: true),
            Case("require \"enotify\"; require \"notify\";", valid: false, "cannot be used together"),
            Case("require \"notify\"; notify :method \"mailto\" :options \"a@b.c\" :low \"x\";", valid: false),
            Case(
                "require \"notify\"; notify :method \"mailto\" :options \"a@b.c\" :low :message \"x\"; denotify;",
                valid: true),
            Case("require \"notify\"; notify :method \"xmpp:a@b\";", valid: false, "only supports the 'mailto'"),
        ])
    func responses(_ c: Case) { check(c) }

    @Test(
        "variables, include, ihave, encoded-character",
        arguments: [
            Case(
                "require \"variables\"; set :lower :upperfirst \"a\" \"B\"; if string :is \"${a}\" \"b\" { keep; }",
                valid: true),
            Case("require \"variables\"; set :lower :upper \"a\" \"b\";", valid: false, "duplicate"),
            Case("require \"variables\"; set \"a.b\" \"c\";", valid: false, "unknown namespace 'a'"),
            Case("require \"variables\"; set \"1a\" \"c\";", valid: false, "invalid variable name"),
            Case("require \"variables\"; set \"a\" \"${foo.bar}\";", valid: true, "namespace 'foo'"),
            Case("require \"variables\"; set \"a\" \"${99}\";", valid: true, "${99}"),
            Case("require \"include\"; include :once :optional \"lib\"; return;", valid: true),
            Case("require \"include\"; include \"a/b\";", valid: false, "invalid script name"),
            Case("require \"include\"; include \"\";", valid: false, "invalid script name"),
            Case("require \"include\"; include :global :personal \"x\";", valid: false),
            Case("require [\"include\", \"variables\"]; set \"a\" \"b\"; include \"${a}\";", valid: false, "constant"),
            Case("require \"include\"; global \"x\";", valid: false, "variables extension"),
            Case("require [\"include\", \"variables\"]; global \"x\"; set \"global.x\" \"1\";", valid: true),
            Case("require \"ihave\"; if ihave \"foo\" { foo; fileinto \"x\"; }", valid: true),
            Case("require \"ihave\"; if ihave \"fileinto\" { fileinto \"x\"; }", valid: true),
            Case("require \"ihave\"; if ihave \"fileinto\" { fileinto \"x\" \"y\"; }", valid: false),
            Case("require \"ihave\"; foo;", valid: false, "unknown command 'foo'"),
            Case("require \"ihave\"; error \"stop here\";", valid: true),
            Case("require [\"encoded-character\", \"fileinto\"]; fileinto \"${hex:41 42}\";", valid: true),
            Case("require [\"encoded-character\", \"fileinto\"]; fileinto \"${hex:ff}\";", valid: false, "UTF-8"),
            Case("require [\"encoded-character\"]; keep; redirect \"${unicode:110000}@b.c\";", valid: false, "unicode"),
        ])
    func language(_ c: Case) { check(c) }

    @Test(
        "comparators, relational, regex, subaddress, body, date, index",
        arguments: [
            Case(
                "require \"comparator-i;ascii-numeric\"; if header :comparator \"i;ascii-numeric\" :is \"x\" \"1\" "
                    + "{ keep; }", valid: true),
            Case(
                "require \"comparator-i;ascii-numeric\"; if header :comparator \"i;ascii-numeric\" :contains \"a\" "
                    + "\"b\" { keep; }", valid: false, "sub-string matching"),
            Case(
                "if header :comparator \"i;ascii-numeric\" :is \"a\" \"b\" { keep; }", valid: false,
                "unknown comparator"),
            Case("require \"relational\"; if header :value \"ge\" \"x\" \"1\" { keep; }", valid: true),
            Case(
                "require [\"relational\", \"comparator-i;ascii-numeric\"]; if header :count \"gt\" "
                    + ":comparator \"i;ascii-numeric\" \"to\" \"2\" { keep; }", valid: true),
            Case("require \"relational\"; if header :value \"GT\" \"a\" \"b\" { keep; }", valid: false, "\"gt\""),
            Case("require \"regex\"; if header :regex \"subject\" \"^a.*b$\" { keep; }", valid: true),
            Case(
                "require \"regex\"; if header :regex \"subject\" \"^(a+)+$\" { keep; }", valid: true,
                "exponential"),
            Case("if header :matches \"subject\" \"a***b\" { keep; }", valid: true, "consecutive '*'"),
            Case(
                "require [\"regex\", \"comparator-i;ascii-numeric\"]; if header :comparator \"i;ascii-numeric\" "
                    + ":regex \"a\" \"b\" { keep; }", valid: false, "regex match type only supports"),
            Case("require \"subaddress\"; if address :detail \"to\" \"x\" { keep; }", valid: true),
            Case("if address :user \"to\" \"x\" { keep; }", valid: false, "add require \"subaddress\""),
            Case("require \"body\"; if body :content \"text\" :contains \"x\" { keep; }", valid: true),
            Case("require \"body\"; if body :raw :text \"x\" { keep; }", valid: false, "duplicate"),
            Case("require \"date\"; if date :zone \"+0100\" :is \"date\" \"year\" \"2024\" { keep; }", valid: true),
            Case("require \"date\"; if currentdate :is \"weekday\" \"0\" { keep; }", valid: true),
            Case("require \"date\"; if currentdate :is \"decade\" \"0\" { keep; }", valid: true, "date part"),
            Case("require \"date\"; if date :zone \"CET\" \"date\" \"year\" \"1\" { keep; }", valid: true, ":zone"),
            Case("require \"index\"; if header :index 2 :last \"received\" \"x\" { keep; }", valid: true),
            Case("require \"index\"; if header :index 0 \"x\" \"y\" { keep; }", valid: false, "cannot be zero"),
            Case("require \"index\"; if header :last \"x\" \"y\" { keep; }", valid: false, "without the :index"),
        ])
    func matching(_ c: Case) { check(c) }

    @Test(
        "mime, foreverypart, extracttext, editheader, duplicate, spamtest, metadata, environment",
        arguments: [
            Case(
                "require \"mime\"; if header :mime :anychild :contenttype \"content-type\" \"text/plain\" "
                    + "{ keep; }", valid: true),
            Case("require \"mime\"; if header :type \"content-type\" \"text\" { keep; }", valid: false, ":mime"),
            Case("require \"foreverypart\"; foreverypart :name \"a\" { break :name \"a\"; }", valid: true),
            Case("require \"foreverypart\"; break;", valid: false, "not placed inside a foreverypart"),
            Case(
                "require \"foreverypart\"; foreverypart { foreverypart { foreverypart { foreverypart "
                    + "{ foreverypart { keep; } } } } }", valid: false, "nesting limit"),
            Case(
                "require [\"foreverypart\", \"variables\", \"extracttext\"]; foreverypart { extracttext :first 10 "
                    + "\"t\"; }", valid: true),
            Case(
                "require [\"foreverypart\", \"extracttext\"]; foreverypart { extracttext \"t\"; }", valid: false,
                "without variables"),
            Case(
                "require [\"foreverypart\", \"variables\", \"extracttext\"]; extracttext \"t\";", valid: false,
                "not placed inside"),
            Case(
                "require \"editheader\"; addheader :last \"X-Foo\" \"bar\"; deleteheader :index 1 :last "
                    + ":contains \"X-Foo\" \"b\";", valid: true),
            Case("require \"editheader\"; addheader \"X-a:\" \"x\";", valid: false, "field name"),
            Case("require \"editheader\"; deleteheader \"Received\";", valid: true, "forbidden"),
            Case("require \"editheader\"; deleteheader :last \"X\";", valid: true, "without the :index"),
            Case(
                "require \"duplicate\"; if duplicate :header \"message-id\" :seconds 60 :last { discard; }",
                valid: true),
            Case("require \"duplicate\"; if duplicate :header \"a\" :uniqueid \"b\" { discard; }", valid: false),
            Case("require [\"duplicate\", \"vnd.dovecot.duplicate\"];", valid: false, "cannot be used together"),
            Case("require \"vnd.dovecot.duplicate\"; if duplicate :value \"x\" { discard; }", valid: true),
            // Both forms warn about a header name that cannot be one (Pigeonhole's sievec does).
            Case("require \"duplicate\"; if duplicate :header \"bad header:\" { discard; }", valid: true, "is invalid"),
            Case(
                "require \"vnd.dovecot.duplicate\"; if duplicate :header \"bad header:\" { discard; }", valid: true,
                "is invalid"),
            Case(
                "require \"spamtestplus\"; if spamtest :percent :value \"gt\" :comparator \"i;ascii-numeric\" \"50\" "
                    + "{ discard; }", valid: false, "relational"),
            Case(
                "require [\"spamtestplus\", \"relational\", \"comparator-i;ascii-numeric\"]; if spamtest :percent "
                    + ":value \"gt\" :comparator \"i;ascii-numeric\" \"50\" { discard; }", valid: true),
            Case("require \"spamtest\"; if spamtest :percent \"5\" { discard; }", valid: false, "spamtestplus"),
            Case("require \"virustest\"; if virustest :is \"5\" { discard; }", valid: true),
            Case("require \"mboxmetadata\"; if metadata \"INBOX\" \"/private/comment\" \"x\" { keep; }", valid: true),
            Case("require \"servermetadata\"; if servermetadataexists \"/shared/admin\" { keep; }", valid: true),
            Case("require \"environment\"; if environment :contains \"name\" \"dovecot\" { keep; }", valid: true),
            Case("require [\"vnd.dovecot.environment\", \"variables\"]; set \"a\" \"${env.x}\";", valid: true),
            Case("require \"vnd.dovecot.debug\"; debug_log \"x\";", valid: true),
            Case("require \"vnd.dovecot.report\"; report \"abuse\" \"msg\" \"abuse@example.com\";", valid: true),
            Case("require [\"vnd.dovecot.pipe\", \"copy\"]; pipe :copy :try \"prog\" [\"a\"];", valid: true),
            Case("require \"vnd.dovecot.pipe\"; pipe \"a/b\";", valid: false, "program name"),
            Case("require \"vnd.dovecot.filter\"; filter \"prog\"; if filter \"prog\" { keep; }", valid: true),
            Case("require [\"vnd.dovecot.execute\", \"variables\"]; execute :output \"out\" \"prog\";", valid: true),
            Case("require \"vnd.dovecot.execute\"; execute :input \"a\" :pipe \"x\";", valid: false, "duplicate"),
            Case("require [\"imapsieve\", \"vnd.dovecot.imapsieve\"]; keep;", valid: true),
        ])
    func others(_ c: Case) { check(c) }

    @Test("extensions not enabled on the server are unknown to require")
    func disabled() {
        let result = compile("require \"editheader\";", extensions: .pigeonholeDefault)
        #expect(
            result.errors.first?.message
                == "require command: unknown Sieve capability 'editheader' (the extension is not enabled on this server)"
        )
        #expect(
            compile("addheader \"X\" \"y\";", extensions: .pigeonholeDefault).errors.first?.message
                == "unknown command 'addheader' (it belongs to the 'editheader' extension, which is not enabled on this server)"
        )
        let implied = compile(
            "require \"vacation-seconds\"; vacation :seconds 60 \"x\";",
            extensions: try! ExtensionSet(parsing: "-vacation +vacation-seconds"))
        #expect(implied.isValid, "\(implied.diagnostics.map(\.message))")
    }

    @Test("a :regex pattern goes through the regex checker")
    func regexChecker() {
        let checker: @Sendable (String, Bool) -> String? = { pattern, caseInsensitive in
            pattern == "(" ? "unmatched ( (ci=\(caseInsensitive))" : nil
        }
        let bad = compile("require \"regex\"; if header :regex \"s\" \"(\" { keep; }", regex: checker)
        #expect(bad.errors.first?.message == "invalid regular expression '(' for regex match: unmatched ( (ci=true)")
        let octet = compile(
            "require \"regex\"; if header :comparator \"i;octet\" :regex \"s\" \"(\" { keep; }", regex: checker)
        #expect(octet.errors.first?.message.hasSuffix("(ci=false)") == true)
        let variable = compile(
            "require [\"regex\", \"variables\"]; if header :regex \"s\" \"${x}(\" { keep; }", regex: { _, _ in "bad" })
        #expect(variable.isValid)
    }

    @Test("system flags are recognised in any case and only by their exact names")
    func systemFlags() {
        for flag in ["\\Seen", "\\DRAFT", "\\flagged", "\\Deleted", "\\answered"] {
            #expect(Checks.isValidFlag(flag), "\(flag)")
            #expect(Array(flag.utf8).withUnsafeBufferPointer(Checks.isValidASCIIFlag), "\(flag)")
        }
        for flag in ["\\Seenx", "\\Sen", "\\Recent", "\\", "\\answerex", "\\flaggedd"] {
            #expect(!Checks.isValidFlag(flag), "\(flag)")
            #expect(!Array(flag.utf8).withUnsafeBufferPointer(Checks.isValidASCIIFlag), "\(flag)")
        }
        let warned = compile("require \"imap4flags\"; addflag [\"\\\\Seen\", \"\\\\Sean\"];")
        #expect(warned.isValid)
        #expect(warned.warnings.first?.message.contains("\\Sean") == true)
    }
}
