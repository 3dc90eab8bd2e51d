import SieveCompiler
import SieveMessage
import Testing

@testable import SieveInterpreter

private func run(
    _ script: String, _ message: String = "From: a@b.c\r\nTo: d@e.f\r\nSubject: say hello world\r\n\r\nbody\r\n",
    context: InterpreterContext = InterpreterContext(compileOptions: CompileOptions(extensions: .all))
) throws -> RunResult {
    let compiled = SieveCompiler(options: context.compileOptions).compileForExecution(Array(script.utf8))
    let executable = try #require(compiled.script, "\(compiled.result.errors)")
    return Interpreter(context: context).run(executable, message: try Message.parse(Array(message.utf8)))
}

@Suite struct InterpreterTests {
    @Test("an empty script keeps implicitly")
    func implicitKeep() throws {
        let r = try run("")
        #expect(r.actions.isEmpty && r.implicitKeep && !r.failed)
    }

    @Test(
        "fileinto cancels the implicit keep, :copy does not; the same folder twice is one action with the later flags")
    func storeMerging() throws {
        let r = try run(
            """
            require ["fileinto", "copy", "imap4flags"];
            fileinto :flags "\\\\Seen" "A"; fileinto :copy "B"; fileinto :flags ["x", "X", "y"] "A";
            """)
        #expect(
            r.actions == [
                .fileinto(mailbox: "A", flags: ["x", "y"], copy: false, create: false),
                .fileinto(mailbox: "B", flags: [], copy: true, create: false),
            ])
        #expect(!r.implicitKeep)
        let copyOnly = try run("require [\"fileinto\", \"copy\"]; fileinto :copy \"B\";")
        #expect(copyOnly.implicitKeep)
    }

    @Test("keep and fileinto INBOX are one store; redirects to one address merge, the domain lower-cased")
    func keepAndRedirect() throws {
        let r = try run("require \"fileinto\"; keep; fileinto \"INBOX\"; redirect \"q@R.S\"; redirect \"q@r.s\";")
        #expect(r.actions == [.keep(flags: []), .redirect(address: "q@r.s", copy: false)])
    }

    @Test("header :matches sets match variables; :is, :contains and comparators")
    func matching() throws {
        let r = try run(
            """
            require ["fileinto", "variables"];
            if header :matches "subject" "*hello*" { fileinto "x-${1}-${2}"; }
            if header :is :comparator "i;octet" "subject" "SAY HELLO WORLD" { discard; }
            if header :contains "subject" "HELLO" { fileinto "contains"; }
            """)
        #expect(
            r.actions == [
                .fileinto(mailbox: "x-say - world", flags: [], copy: false, create: false),
                .fileinto(mailbox: "contains", flags: [], copy: false, create: false),
            ])
    }

    @Test("i;ascii-numeric: a value without leading digits is +infinity; relational :count and :value")
    func numeric() throws {
        let message = "X-N: 10\r\nX-N: abc\r\nTo: a@b.c, d@e.f\r\n\r\n"
        let r = try run(
            """
            require ["relational", "comparator-i;ascii-numeric", "fileinto"];
            if header :value "gt" :comparator "i;ascii-numeric" "x-n" "9" { fileinto "gt9"; }
            if header :value "lt" :comparator "i;ascii-numeric" "x-n" "9" { fileinto "lt9"; }
            if address :count "eq" :comparator "i;ascii-numeric" "to" "2" { fileinto "two"; }
            """, message)
        #expect(r.actions.count == 2)
        #expect(r.actions[0] == .fileinto(mailbox: "gt9", flags: [], copy: false, create: false))
        #expect(r.actions[1] == .fileinto(mailbox: "two", flags: [], copy: false, create: false))
    }

    @Test("address parts and subaddress; envelope from the context")
    func addresses() throws {
        var context = InterpreterContext(compileOptions: CompileOptions(extensions: .all))
        context.envelopeTo = "bob+work+urgent@example.org"
        let r = try run(
            """
            require ["envelope", "subaddress", "fileinto", "variables"];
            if address :domain :is "from" "B.C" { fileinto "domain"; }
            if envelope :detail :matches "to" "*" { fileinto "detail-${1}"; }
            if envelope :user "to" "bob" { fileinto "user"; }
            """, context: context)
        #expect(
            r.actions.map { if case .fileinto(let m, _, _, _) = $0 { return m } else { return "" } } == [
                "domain", "detail-work+urgent", "user",
            ])
    }

    @Test("a runtime error (an invalid redirect address built from a variable) drops every action")
    func runtimeError() throws {
        let r = try run("require \"variables\"; discard; set \"a\" \"x\"; redirect \"${a}\";")
        #expect(r.failed && r.actions.isEmpty && r.implicitKeep)
    }

    @Test("more than four redirects and reject with a store are runtime errors")
    func policyErrors() throws {
        let five = (1...5).map { "redirect \"u\($0)@x.y\";" }.joined()
        #expect(try run(five).failed)
        #expect(try run("require \"reject\"; keep; reject \"no\";").failed)
    }

    @Test("variables: modifiers by precedence, values cut at 4096 octets, string test")
    func variables() throws {
        let r = try run(
            """
            require ["variables", "fileinto"];
            set :upperfirst :lower "a" "HELLO";
            set :length "n" "${a}";
            set "big" "\(String(repeating: "x", count: 5000))";
            set :length "bn" "${big}";
            if string :is "${a}-${n}-${bn}" "Hello-5-4096" { fileinto "ok"; }
            """)
        #expect(r.actions == [.fileinto(mailbox: "ok", flags: [], copy: false, create: false)])
    }

    @Test("imap4flags: the internal variable goes with keep and the implicit keep")
    func flags() throws {
        let r = try run(
            "require \"imap4flags\"; addflag [\"\\\\Seen\", \"a b\"]; removeflag \"a\"; if hasflag \"b\" { keep; }")
        #expect(r.actions == [.keep(flags: ["\\Seen", "b"])])
        let implicit = try run("require \"imap4flags\"; setflag \"x\";")
        #expect(implicit.implicitKeep && implicit.implicitKeepFlags == ["x"])
    }

    @Test("vacation: :days below the minimum raised to one day, the default is 7 days")
    func vacation() throws {
        let r = try run("require \"vacation\"; vacation :days 0 :subject \"s\" \"r\";")
        guard case .vacation(let v)? = r.actions.first else {
            Issue.record("no vacation")
            return
        }
        #expect(v.seconds == 86400 && v.subject == "s" && v.reason == "r")
        let d = try run("require \"vacation\"; vacation \"r\";")
        guard case .vacation(let dv)? = d.actions.first else { return }
        #expect(dv.seconds == 7 * 86400 && dv.subject == nil)
    }

    @Test("enotify mailto: recipients, headers, :message as the subject")
    func notify() throws {
        let r = try run(
            "require \"enotify\"; notify :importance \"1\" :message \"m\" \"mailto:a@b.c?cc=c@d.e&subject=Hi&x-h=v\";")
        #expect(
            r.actions == [
                .notify(
                    Action.Notification(
                        method: "mailto", importance: 1, subject: "m", from: nil,
                        recipients: ["To: a@b.c", "Cc: c@d.e"],
                        headers: ["x-h: v"], body: nil))
            ])
    }

    @Test("editheader: later tests see added and deleted fields")
    func editheader() throws {
        let r = try run(
            """
            require ["editheader", "fileinto"];
            addheader "X-Tag" "yes"; deleteheader "subject";
            if allof (header :is "x-tag" "yes", not exists "subject") { fileinto "edited"; }
            """)
        #expect(r.actions == [.fileinto(mailbox: "edited", flags: [], copy: false, create: false)])
    }

    @Test("date parts in the header's zone and in a given :zone; currentdate from the context's clock")
    func dates() throws {
        var context = InterpreterContext(compileOptions: CompileOptions(extensions: .all))
        context.now = MessageDate(epochSeconds: 1_057_049_557, zoneMinutes: 0)
        let r = try run(
            """
            require ["date", "relational", "fileinto"];
            if date :originalzone "date" "hour" "10" { fileinto "orig"; }
            if date :zone "+0000" "date" "time" "08:52:37" { fileinto "utc"; }
            if currentdate "date" "2003-07-01" { fileinto "now"; }
            if date :originalzone "date" "weekday" "2" { fileinto "tuesday"; }
            """, "Date: Tue, 1 Jul 2003 10:52:37 +0200\r\n\r\n", context: context)
        #expect(r.actions.count == 4)
    }

    @Test("include: personal scripts run with their own variables; :once; return; a missing script is an error")
    func include() throws {
        var context = InterpreterContext(compileOptions: CompileOptions(extensions: .all))
        context.loadScript = { name, _ in
            name == "sub"
                ? Array(
                    "require [\"fileinto\", \"include\", \"variables\"]; global \"g\"; fileinto \"sub-${g}\"; return; discard;"
                        .utf8)
                : nil
        }
        let r = try run(
            """
            require ["include", "variables"];
            global "g"; set "g" "v";
            include :once "sub"; include :once "sub";
            """, context: context)
        #expect(r.actions == [.fileinto(mailbox: "sub-v", flags: [], copy: false, create: false)])
        #expect(try run("require \"include\"; include \"missing\";", context: context).failed)
    }

    @Test("a trace line for every test with the decoded values compared")
    func trace() throws {
        var context = InterpreterContext(compileOptions: CompileOptions(extensions: .all))
        context.trace = true
        let r = try run(
            "if header :contains \"subject\" \"café\" { discard; }",
            "Subject: =?utf-8?q?caf=C3=A9?=\r\n\r\n", context: context)
        #expect(r.trace.first?.contains("values [\"café\"]") == true)
        #expect(r.actions == [.discard])
    }
}

@Suite struct WildcardTests {
    @Test("* matches as little as possible, ? one octet, \\ quotes")
    func wildcards() {
        let v = Array("say hello world".utf8)
        #expect(
            Wildcard.match(v, Array("*o*".utf8), .octet)?.map { String(decoding: $0, as: UTF8.self) } == [
                "say hell", " world",
            ])
        #expect(Wildcard.match(Array("a*b".utf8), Array("a\\*?".utf8), .octet)?.count == 1)
        #expect(Wildcard.match(Array("Grüße".utf8), Array("Gr??e".utf8), .octet) == nil)
        #expect(Wildcard.match(Array("Grüße".utf8), Array("Gr????e".utf8), .octet) != nil)
        #expect(Wildcard.match(Array("ABC".utf8), Array("a?c".utf8), .asciiCasemap) != nil)
    }
}

@Suite struct InterpreterMIMETests {
    private let multipart =
        "Subject: x\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n"
        + "hello\r\n--b\r\nContent-Type: application/pdf; name=\"a.pdf\"\r\n\r\n%PDF\r\n--b--\r\n"

    @Test("foreverypart with header :mime :type, :param; tests without :mime still see the message header")
    func forEveryPart() throws {
        let r = try run(
            """
            require ["foreverypart", "mime", "fileinto", "variables", "editheader"];
            foreverypart {
                if header :mime :type "content-type" "application" {
                    if header :mime :param "name" :matches "content-type" "*" { fileinto "att-${1}"; }
                }
                if header :is "subject" "x" { addheader "X-Seen" "1"; }
            }
            """, multipart)
        #expect(r.actions == [.fileinto(mailbox: "att-a.pdf", flags: [], copy: false, create: false)])
    }

    @Test("body :text decodes text parts; :content picks types; :raw is undecoded")
    func body() throws {
        let r = try run(
            """
            require ["body", "fileinto"];
            if body :text :contains "hello" { fileinto "text"; }
            if body :content "application/pdf" :contains "%PDF" { fileinto "pdf"; }
            if body :raw :contains "--b--" { fileinto "raw"; }
            """, multipart)
        #expect(r.actions.count == 3)
    }

    @Test("extracttext takes the current part's decoded text without its final line break, :first characters")
    func extractText() throws {
        let r = try run(
            """
            require ["foreverypart", "mime", "extracttext", "variables", "fileinto", "spamtest", "relational",
                     "comparator-i;ascii-numeric"];
            foreverypart { if header :mime :subtype "content-type" "plain" { extracttext :upper :first 4 "t"; } }
            if spamtest :value "eq" :comparator "i;ascii-numeric" "0" { fileinto "${t}"; }
            """, multipart)
        #expect(r.actions == [.fileinto(mailbox: "HELL", flags: [], copy: false, create: false)])
    }

    @Test("fileinto \"inbox\" in any case is the same store as keep")
    func inboxCase() throws {
        let r = try run("require \"fileinto\"; keep; fileinto \"inbox\"; fileinto \"Inbox\";")
        #expect(r.actions == [.keep(flags: [])])
    }

    @Test(":index picks the n-th field in date tests too (RFC 5260 §6; Pigeonhole 0.5.19 ignores it)")
    func dateIndex() throws {
        let r = try run(
            """
            require ["date", "index", "fileinto", "variables"];
            if date :index 2 :zone "+0000" :matches "received" "time" "*" { fileinto "${1}"; }
            """, "Received: a; Sat, 1 Jan 2000 00:00:01 +0000\r\nReceived: b; Fri, 31 Dec 1999 23:59:59 -0500\r\n\r\n")
        #expect(r.actions == [.fileinto(mailbox: "04:59:59", flags: [], copy: false, create: false)])
    }

    @Test("a :regex key of plain text is searched for before regcomp; any other key goes to the matcher")
    func regexLiteral() throws {
        #expect(RegexLiteral.required(Array("^\\[ticket-7\\]".utf8)) == Array("[ticket-7]".utf8))
        #expect(RegexLiteral.required(Array("abc$".utf8)) == Array("abc".utf8))
        for pattern in ["a.c", "a|b", "\\w+", "x*", "(a)", "", "^$", "a\\1", "caf\u{E9}"] {
            #expect(RegexLiteral.required(Array(pattern.utf8)) == nil, "\(pattern)")
        }
        #expect(RegexLiteral.occurs(Array("[tick".utf8), in: Array("re: [TICKET-1]".utf8), caseInsensitive: true))
        #expect(!RegexLiteral.occurs(Array("[tick".utf8), in: Array("re: [TICKET-1]".utf8), caseInsensitive: false))
        // A matcher that matches everything: only keys whose text is absent from the value are kept from it.
        var context = InterpreterContext(compileOptions: CompileOptions(extensions: .all))
        context.regex = { _, _, subject in [subject] }
        let r = try run(
            """
            require ["fileinto", "regex"];
            if header :regex "subject" "^absent$" { fileinto "literal-absent"; }
            if header :regex "subject" "HELLO" { fileinto "literal-present"; }
            if header :regex "subject" "abs.nt" { fileinto "expression"; }
            """, context: context)
        #expect(
            r.actions == [
                .fileinto(mailbox: "literal-present", flags: [], copy: false, create: false),
                .fileinto(mailbox: "expression", flags: [], copy: false, create: false),
            ])
    }
}
