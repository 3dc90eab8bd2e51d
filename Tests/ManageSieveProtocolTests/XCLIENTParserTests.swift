import Testing

@testable import ManageSieveProtocol

@Suite("CommandParser: XCLIENT (Pigeonhole's proxy extension)")
struct XCLIENTParserTests {
    @Test("Dovecot's form: unquoted NAME=value fields, any case")
    func dovecotForm() {
        let events = ParseFixture.events(Array("xclient ADDR=192.0.2.7 PORT=51000 SESSION=abc TTL=4\r\n".utf8))
        #expect(
            events == [
                .command(
                    .xclient(fields: ["ADDR=192.0.2.7", "PORT=51000", "SESSION=abc", "TTL=4"].map { Array($0.utf8) }))
            ])
    }

    @Test(
        "without fields, with a literal, or with an empty field it is refused",
        arguments: [
            "XCLIENT\r\n", "XCLIENT {3+}\r\nTTL\r\n", "XCLIENT TTL=1  ADDR=1.2.3.4\r\n", "XCLIENT TTL=1 \r\n",
        ])
    func refused(_ input: String) {
        let events = ParseFixture.events(Array(input.utf8))
        #expect(events.count == 1)
        guard case .invalid(_, let command) = events.first else {
            Issue.record("expected a refusal, got \(events)")
            return
        }
        #expect(command == "XCLIENT")
    }
}
