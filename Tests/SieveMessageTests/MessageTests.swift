import Testing

@testable import SieveMessage

private func parse(_ text: String, limits: MessageLimits = .init()) throws -> Message {
    try Message.parse(Array(text.utf8), limits: limits)
}

private func text(_ bytes: some Collection<UInt8>) -> String { String(decoding: bytes, as: UTF8.self) }

@Suite struct MessageTests {
    @Test("unfolds header values: line breaks dropped, the white space after them kept, ends trimmed")
    func unfolding() throws {
        let m = try parse("Subject:   one  \r\n  two\t\r\nX-Empty:\r\nTo: a@b.c\r\n\r\nbody\r\n")
        #expect(m.headers.map(\.name) == ["Subject", "X-Empty", "To"])
        #expect(text(m.values(of: "subject")[0]) == "one    two")
        #expect(m.values(of: "x-empty") == [[]])
        #expect(text(m.body(of: 0)) == "body\r\n")
    }

    @Test("LF-only messages, a name with space before the colon, lines without a colon skipped")
    func oddHeaders() throws {
        let m = try parse("Subject : hi\n no colon here\nbroken line\nFrom: x\n\nb")
        #expect(m.headers.map(\.name) == ["Subject", "From"])
        #expect(text(m.values(of: "SUBJECT")[0]) == "hi no colon here")
        #expect(text(m.body(of: 0)) == "b")
        #expect(m.size == 50)
    }

    @Test("a message with no body and no empty line")
    func headersOnly() throws {
        let m = try parse("Subject: x")
        #expect(m.headers.count == 1)
        #expect(m.body(of: 0).isEmpty)
    }

    @Test("multipart tree: preamble, nested multipart, closing boundaries, epilogue")
    func multipart() throws {
        let m = try parse(
            "Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\npreamble\r\n--outer\r\n"
                + "Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
                + "caf=E9\r\n--outer\r\nContent-Type: multipart/alternative; boundary=inner\r\n\r\n--inner\r\n\r\n"
                + "plain\r\n--inner\r\nContent-Type: text/html\r\n\r\n<b>x</b>\r\n--inner--\r\nignored\r\n"
                + "--outer--\r\nepilogue\r\n")
        #expect(
            m.parts.map(\.contentType) == [
                "multipart/mixed", "text/plain", "multipart/alternative", "text/plain", "text/html",
            ])
        #expect(m.parts.map(\.parent) == [-1, 0, 0, 2, 2])
        #expect(m.parts[0].children == [1, 2])
        #expect(text(m.body(of: 1)) == "caf=E9")
        #expect(m.parts[1].parameter("CHARSET") == "iso-8859-1")
        #expect(m.parts[1].transferEncoding == "quoted-printable")
        #expect(text(m.body(of: 3)) == "plain")
        #expect(text(m.body(of: 4)) == "<b>x</b>")
        #expect(text(m.body(of: 2)).hasSuffix("--inner--\r\nignored"))
    }

    @Test("the boundary search finds every line starting with \"--\", wherever its dashes fall in a step")
    func dashLines() {
        let long = String(repeating: "abcdefg", count: 5)
        var texts = [
            "ab\n--x", "a\n--x", "\n--", "a\r\n--b\n-c\n--d", "--a\n-\n--", "x\n--\n--", long + "\n--b" + long,
            long + "-\n-" + long + "\n--", "0123456\n--" + long, "012345\n--", "01234567\n-", long + "\n-\n--",
        ]
        // A dash line, and a lone dash, at every offset around the 32- and 8-octet steps.
        for k in 0..<80 {
            let before = String(repeating: "x", count: k)
            texts.append(before + "\n--" + String(repeating: "y", count: 80 - k))
            texts.append(before + "-" + String(repeating: "y", count: 70) + "\n--")
        }
        for text in texts {
            let bytes = Array(text.utf8)
            var expected: [Int] = []
            for q in 1..<max(1, bytes.count - 1) where bytes[q - 1] == 0x0A && bytes[q] == 0x2D && bytes[q + 1] == 0x2D
            {
                expected.append(q)
            }
            var found: [Int] = []
            var pos = 0
            while true {
                pos = MIMEBuilder.nextDashLine(bytes, after: pos)
                if pos >= bytes.count { break }
                found.append(pos)
            }
            #expect(found == expected, "\(text.debugDescription)")
        }
    }

    @Test("an outer boundary ends the parts inside it even when the inner multipart is not closed")
    func outerBoundaryClosesInner() throws {
        let m = try parse(
            "Content-Type: multipart/mixed; boundary=a\n\n--a\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\nx\n--a\n\ny\n--a--\n"
        )
        #expect(m.parts.count == 4)
        #expect(text(m.body(of: 2)) == "x")
        #expect(m.parts[3].parent == 0)
        #expect(text(m.body(of: 3)) == "y")
    }

    @Test("message/rfc822 parts and multipart/digest children are parsed as messages")
    func embeddedMessages() throws {
        let m = try parse(
            "Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: inner\n\nhello\n--d--\n")
        #expect(m.parts.map(\.contentType) == ["multipart/digest", "message/rfc822", "text/plain"])
        #expect(text(m.parts[2].headers[0].value) == "inner")
        #expect(text(m.body(of: 2)) == "hello")
    }

    @Test("a message over the size limit is refused with a clear error")
    func sizeLimit() {
        #expect(throws: MessageError.tooLarge(size: 11, limit: 10)) {
            try Message.parse(Array("Subject: xy".utf8), limits: MessageLimits(maxSize: 10))
        }
    }

    @Test("too many header fields are refused")
    func headerFieldLimit() {
        let text = String(repeating: "A: b\n", count: 11)
        #expect(throws: MessageError.tooManyHeaderFields(limit: 10)) {
            try Message.parse(Array(text.utf8), limits: MessageLimits(maxHeaderFields: 10))
        }
    }

    @Test("100,000 MIME parts: the first 10,000 are split, the rest stays the multipart's body, in bounded time")
    func manyParts() throws {
        var s = "Content-Type: multipart/mixed; boundary=x\n\n"
        for _ in 0..<100_000 { s += "--x\n\np\n" }
        s += "--x--\n"
        let clock = ContinuousClock()
        let start = clock.now
        let m = try parse(s)
        #expect(m.parts.count == 10_000)
        #expect(clock.now - start < .seconds(20))
        #expect(m.parts[0].bodyEnd == m.size)
    }

    @Test("multiparts nested 1,000 deep stop splitting at depth 100")
    func deepNesting() throws {
        var s = ""
        for k in 0..<1000 { s += "Content-Type: multipart/mixed; boundary=b\(k)\n\n--b\(k)\n" }
        s += "\nleaf\n"
        let m = try parse(s)
        #expect(m.parts.map(\.depth).max() == 100)
    }

    @Test("a 1 MB header line and a 50 MB message parse within a fixed budget")
    func bigInputs() throws {
        let clock = ContinuousClock()
        let start = clock.now
        let long = "Subject: " + String(repeating: "a", count: 1 << 20) + "\r\n\r\nx"
        let m = try parse(long)
        #expect(m.values(of: "subject")[0].count == 1 << 20)
        var big = Array("Content-Type: multipart/mixed; boundary=z\r\n\r\n--z\r\n\r\n".utf8)
        big += [UInt8](repeating: 0x61, count: 50 << 20)
        big += Array("\r\n--z--\r\n".utf8)
        let m2 = try Message.parse(big)
        #expect(m2.parts.count == 2)
        #expect(m2.body(of: 1).count == 50 << 20)
        #expect(clock.now - start < .seconds(60))
    }
}

@Suite struct EncodedWordsTests {
    @Test("Q and B words decoded, white space between adjacent words dropped, other text kept")
    func decoding() {
        let v = Array("=?iso-8859-1?q?caf=E9?= =?utf-8?b?w6k=?=  x =?utf-8?Q?a_b?=".utf8)
        let decoded = EncodedWords.decode(
            v,
            converter: { charset, bytes in
                charset.lowercased() == "iso-8859-1"
                    ? bytes.flatMap { $0 < 0x80 ? [$0] : [0xC0 | $0 >> 6, 0x80 | $0 & 0x3F] } : nil
            })
        #expect(text(decoded) == "caféé  x a b")
    }

    @Test("unknown charsets keep the decoded octets; malformed words stay as written")
    func fallbacks() {
        #expect(
            text(EncodedWords.decode(Array("=?x-unknown?q?abc=41?= tail".utf8), converter: { _, _ in nil }))
                == "abcA tail")
        #expect(
            text(EncodedWords.decode(Array("=?utf-8?x?abc?= =?utf-8?q?no end".utf8), converter: nil))
                == "=?utf-8?x?abc?= =?utf-8?q?no end")
        #expect(text(EncodedWords.decode(Array("=?utf-8?q?a?==?utf-8?q?b?=".utf8), converter: nil)) == "ab")
    }
}

@Suite struct TransferEncodingTests {
    @Test("base64 skips line breaks and stops at padding")
    func base64() {
        #expect(text(TransferEncoding.decodeBase64(Array("aGVs\r\nbG8=\r\nignored".utf8))) == "hello")
    }

    @Test("quoted-printable: hex octets, soft breaks, trailing white space, malformed escapes kept")
    func quotedPrintable() {
        let input = Array("caf=C3=A9 =\r\nsuite  \r\n=ZZ end=".utf8)
        #expect(text(TransferEncoding.decodeQuotedPrintable(input)) == "café suite\r\n=ZZ end")
    }
}

@Suite struct AddressListTests {
    private func all(_ s: String) -> [String] { AddressList.parse(Array(s.utf8)).map { text($0.full) } }

    @Test("a comment whose last octet is a backslash ends the value (FuzzMessage's finding: it trapped)")
    func commentEndingInEscape() throws {
        let m = try parse("Content-Type: multipart/(comment \\\r\n\r\nbody\r\n")
        #expect(m.parts.count == 1)
        #expect(ContentType.parse(Array("text/plain (x\\".utf8))?.type == "text/plain")
        #expect(ContentType.parse(Array("text/plain; a=b (x\\".utf8))?.parameters.count == 1)
        #expect(all("a@b.c (x\\") == ["a@b.c"])
    }

    @Test("mailboxes, display names, groups, comments, routes and domain literals")
    func forms() {
        #expect(all("Group: x@y.z, \"Q Q\" <Q@Y.Z>;, bare@Host") == ["x@y.z", "Q@Y.Z", "bare@Host"])
        #expect(all("John (comment) Doe <john.doe@example.com>") == ["john.doe@example.com"])
        #expect(all("<@route.example:user@example.com>") == ["user@example.com"])
        #expect(all("\"quoted local\"@[192.0.2.1]") == ["quoted local@[192.0.2.1]"])
        #expect(all("a@b.c,,  <c@d.e>") == ["a@b.c", "c@d.e"])
    }

    @Test("an empty group and a phrase are no addresses")
    func nonAddresses() {
        #expect(all("undisclosed-recipients:;").isEmpty)
        #expect(all("not an address").isEmpty)
        let parsed = AddressList.parse(Array("user".utf8))
        #expect(parsed == [MailAddress(localPart: Array("user".utf8), domain: nil)])
    }
}

@Suite struct MessageDateTests {
    @Test("RFC 5322 dates with zones, obsolete forms and comments")
    func parsing() throws {
        let d = try #require(MessageDate.parse(Array("Tue, 1 Jul 2003 10:52:37 +0200".utf8)))
        #expect(d.epochSeconds == 1_057_049_557)
        #expect(d.zoneMinutes == 120)
        let f = d.fields
        #expect(f.year == 2003 && f.month == 7 && f.day == 1 && f.hour == 10 && f.minute == 52 && f.weekday == 2)
        let utc = d.inZone(0).fields
        #expect(utc.hour == 8)
        let old = try #require(MessageDate.parse(Array("1 Jan 99 23:59 EST (comment)".utf8)))
        #expect(old.fields.year == 1999 && old.zoneMinutes == -300 && old.fields.second == 0)
        #expect(MessageDate.parse(Array("yesterday".utf8)) == nil)
        #expect(MessageDate.parse(Array("32 Jan 2020 10:00 +0000".utf8)) == nil)
    }

    @Test("calendar arithmetic round-trips across eras")
    func calendar() {
        for days in [-800_000, -1, 0, 59, 11_016, 2_932_896] {
            let (y, m, d) = MessageDate.civil(fromDays: days)
            #expect(MessageDate.days(year: y, month: m, day: d) == days)
        }
    }
}
