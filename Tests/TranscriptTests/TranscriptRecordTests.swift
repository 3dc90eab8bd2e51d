import Testing

@testable import Transcript

@Suite("TranscriptRecord and escaping")
struct TranscriptRecordTests {
    @Test("renders and parses every record kind")
    func roundTrip() {
        let records = [
            TranscriptRecord(timeOfDay: 3_723_004, source: .client, text: "NOOP"),
            TranscriptRecord(timeOfDay: 0, source: .server, text: ""),
            TranscriptRecord(timeOfDay: 86_399_999, source: .client, literalLength: 12, text: "keep;\\r\\n"),
            TranscriptRecord(timeOfDay: 5, source: .event, text: "login user=alice"),
        ]
        #expect(records[0].rendered == "01:02:03.004 C: NOOP")
        #expect(records[2].rendered == "23:59:59.999 C+ 12: keep;\\r\\n")
        for record in records {
            #expect(TranscriptRecord.parse(Substring(record.rendered)) == record)
        }
    }

    @Test(
        "refuses lines that are not records",
        arguments: ["", "hello", "01:02:03.004 X: a", "01:02:03 C: a", "01:02:03.004 C+ : a"])
    func notRecords(line: String) {
        #expect(TranscriptRecord.parse(Substring(line)) == nil)
    }

    @Test("escaping round-trips every byte value")
    func escapingRoundTrip() {
        let all = (0...255).map { UInt8($0) } + Array("é€😀".utf8)
        let text = TranscriptEscaping.escape(all)
        #expect(!text.contains("\n") && !text.contains("\r"))
        #expect(TranscriptEscaping.unescape(Substring(text)) == all)
        #expect(TranscriptEscaping.unescape("bad\\q") == nil)
    }
}
