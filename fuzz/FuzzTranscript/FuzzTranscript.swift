import FuzzSupport
import Transcript

// Fuzz target for the transcript reader behind `managesievectl transcript` (a transcript file may hold
// whatever a client sent, escaped): the record parser and the unescaping of the recorded octets.
//
// Checks, for every input, split into lines as the command splits a file:
// 1. A parsed record renders to a line that parses back to the same record.
// 2. A record's text that unescapes gives octets that escape and unescape to the same octets.
// 3. Any octets escape to a text that unescapes to exactly them, and the escaped text holds no line break
//    (one record is one line whatever a client sends).

func fuzzOne(_ input: [UInt8]) {
    let text = String(decoding: input, as: UTF8.self)
    for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
        guard let record = TranscriptRecord.parse(line) else { continue }
        guard TranscriptRecord.parse(Substring(record.rendered)) == record else {
            fatalError("record does not round-trip: \(record.rendered)")
        }
        if let octets = TranscriptEscaping.unescape(Substring(record.text)) {
            let again = TranscriptEscaping.escape(octets)
            guard TranscriptEscaping.unescape(Substring(again)) == octets else {
                fatalError("unescaped octets do not round-trip: \(record.text)")
            }
        }
    }
    let escaped = TranscriptEscaping.escape(input)
    if escaped.utf8.contains(0x0A) || escaped.utf8.contains(0x0D) { fatalError("escaped text holds a line break") }
    guard TranscriptEscaping.unescape(Substring(escaped)) == input else {
        fatalError("octets do not round-trip through escape/unescape")
    }
}

fuzzMain(name: "FuzzTranscript", fuzzOne)
