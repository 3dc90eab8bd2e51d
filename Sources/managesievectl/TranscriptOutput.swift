import Transcript

/// ANSI colours for the three kinds of record and for differences.
struct Palette {
    let enabled: Bool

    func paint(_ text: String, for source: TranscriptRecord.Source) -> String {
        switch source {
        case .client: paint(text, code: "32")
        case .server: paint(text, code: "36")
        case .event: paint(text, code: "33")
        }
    }

    func paint(_ text: String, code: String) -> String {
        enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
