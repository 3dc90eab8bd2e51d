/// One line of a transcript file:
///
///     HH:MM:SS.mmm C: <escaped client line>
///     HH:MM:SS.mmm S: <escaped server line>
///     HH:MM:SS.mmm C+ N: <escaped literal octets>     (S+ for a server literal)
///     HH:MM:SS.mmm *: <event>
///
/// The time is UTC to the millisecond; the first record (`*: session start …`) carries the full date.
/// docs/transcripts.md describes the format.
public struct TranscriptRecord: Equatable, Sendable {
    /// Who the record is about.
    public enum Source: Equatable, Sendable {
        case client, server, event
    }

    /// Milliseconds since midnight UTC.
    public var timeOfDay: Int
    public var source: Source
    /// The literal's full length for a literal record; nil for a line or an event.
    public var literalLength: Int?
    /// The escaped text after the marker (as written; `TranscriptEscaping.unescape` gives the octets).
    public var text: String

    public init(timeOfDay: Int, source: Source, literalLength: Int? = nil, text: String) {
        self.timeOfDay = timeOfDay
        self.source = source
        self.literalLength = literalLength
        self.text = text
    }

    /// The record as one line, without the final newline.
    public var rendered: String {
        "\(TranscriptRecord.formatTime(timeOfDay)) \(marker): \(text)"
    }

    /// `C`, `S`, `*`, `C+ 24`, `S+ 7`.
    public var marker: String {
        let letter: String
        switch source {
        case .client: letter = "C"
        case .server: letter = "S"
        case .event: letter = "*"
        }
        if let literalLength { return "\(letter)+ \(literalLength)" }
        return letter
    }

    /// Parses one line of a transcript file; nil when it is not a record.
    public static func parse(_ line: Substring) -> TranscriptRecord? {
        let bytes = Array(line.utf8)
        guard bytes.count >= 16, let time = parseTime(bytes[0..<12]), bytes[12] == 0x20 else { return nil }
        let source: Source
        switch bytes[13] {
        case 0x43: source = .client
        case 0x53: source = .server
        case 0x2A: source = .event
        default: return nil
        }
        var index = 14
        var literalLength: Int? = nil
        if bytes[index] == 0x2B {  // "+ N"
            guard source != .event, index + 1 < bytes.count, bytes[index + 1] == 0x20 else { return nil }
            index += 2
            var value = 0
            let start = index
            while index < bytes.count, (0x30...0x39).contains(bytes[index]), index - start < 12 {
                value = value * 10 + Int(bytes[index] - 0x30)
                index += 1
            }
            guard index > start else { return nil }
            literalLength = value
        }
        guard index + 1 < bytes.count || index + 1 == bytes.count, index < bytes.count, bytes[index] == 0x3A
        else { return nil }
        index += 1
        if index < bytes.count {
            guard bytes[index] == 0x20 else { return nil }
            index += 1
        }
        let text = String(decoding: bytes[index...], as: UTF8.self)
        return TranscriptRecord(timeOfDay: time, source: source, literalLength: literalLength, text: text)
    }

    /// `HH:MM:SS.mmm`.
    public static func formatTime(_ milliseconds: Int) -> String {
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        let ms = milliseconds % 1000
        let seconds = milliseconds / 1000
        return "\(pad(seconds / 3600 % 24, 2)):\(pad(seconds / 60 % 60, 2)):\(pad(seconds % 60, 2)).\(pad(ms, 3))"
    }

    static func parseTime(_ bytes: ArraySlice<UInt8>) -> Int? {
        let b = Array(bytes)
        guard b.count == 12, b[2] == 0x3A, b[5] == 0x3A, b[8] == 0x2E else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for byte in b[range] {
                guard (0x30...0x39).contains(byte) else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard let h = number(0..<2), let m = number(3..<5), let s = number(6..<8), let ms = number(9..<12) else {
            return nil
        }
        // A time of day: 27:00 would be shown as 03:00 (found by FuzzTranscript).
        guard h < 24, m < 60, s < 60 else { return nil }
        return ((h * 60 + m) * 60 + s) * 1000 + ms
    }
}
