/// One unit of a recorded byte stream.
enum FramedItem: Equatable {
    /// A line with its terminator (CRLF or a bare LF); `dropped` octets beyond the line cap were not kept.
    case line([UInt8], dropped: Int)
    /// A literal's octets (at most the cap) and its full length.
    case literal(kept: [UInt8], length: Int)
}

/// Cuts one direction of a ManageSieve byte stream into lines and literals, without parsing commands:
/// a line ending in a literal header (`{N+}` or `{N}` from the client, `{N}` from the server,
/// RFC 5804 §4) is followed by exactly N literal octets.
struct TranscriptFramer {
    /// Octets of one literal kept for the record.
    let maxLiteral: Int
    /// Octets of one line kept for the record; longer lines are cut (the server refuses them anyway).
    let maxLine: Int
    /// Whether `{N+}` counts as a literal header (client side only).
    let allowsNonSynchronizing: Bool

    private var line: [UInt8] = []
    private var lineDropped = 0
    private var literalRemaining = 0
    private var literalLength = 0
    private var literalKept: [UInt8] = []
    private var inLiteral = false

    init(maxLiteral: Int, maxLine: Int = 65536, allowsNonSynchronizing: Bool) {
        self.maxLiteral = max(0, maxLiteral)
        self.maxLine = max(64, maxLine)
        self.allowsNonSynchronizing = allowsNonSynchronizing
    }

    /// Feeds octets; returns the items they complete, in order.
    mutating func feed(_ bytes: some Collection<UInt8>) -> [FramedItem] {
        var items: [FramedItem] = []
        var index = bytes.startIndex
        while index != bytes.endIndex {
            if inLiteral {
                let available = bytes.distance(from: index, to: bytes.endIndex)
                let take = min(available, literalRemaining)
                let end = bytes.index(index, offsetBy: take)
                let room = maxLiteral - literalKept.count
                if room > 0 { literalKept += bytes[index..<end].prefix(room) }
                literalRemaining -= take
                index = end
                if literalRemaining == 0 {
                    items.append(.literal(kept: literalKept, length: literalLength))
                    literalKept = []
                    inLiteral = false
                }
                continue
            }
            let byte = bytes[index]
            index = bytes.index(after: index)
            if line.count < maxLine { line.append(byte) } else { lineDropped += 1 }
            guard byte == 0x0A else { continue }
            let complete = line
            let dropped = lineDropped
            line = []
            lineDropped = 0
            items.append(.line(complete, dropped: dropped))
            if dropped == 0,
                let length = TranscriptFramer.literalHeader(
                    complete, allowsNonSynchronizing: allowsNonSynchronizing)
            {
                if length == 0 {
                    items.append(.literal(kept: [], length: 0))
                } else {
                    inLiteral = true
                    literalRemaining = length
                    literalLength = length
                    literalKept = []
                    literalKept.reserveCapacity(min(length, maxLiteral))
                }
            }
        }
        return items
    }

    /// What is left at the end of the stream: a line without terminator, or a literal cut short
    /// (`kept` and how many of `length` octets arrived).
    mutating func finish() -> (partialLine: [UInt8]?, partialLiteral: (kept: [UInt8], received: Int, length: Int)?) {
        defer {
            line = []
            inLiteral = false
            literalKept = []
        }
        if inLiteral {
            return (nil, (literalKept, literalLength - literalRemaining, literalLength))
        }
        return (line.isEmpty ? nil : line, nil)
    }

    /// The N of a literal header at the end of a line (`{N}` or `{N+}` before CRLF or LF);
    /// nil if the line does not end in one. N is at most 10 digits, like the parser's own limit.
    static func literalHeader(_ line: [UInt8], allowsNonSynchronizing: Bool) -> Int? {
        var end = line.count
        if end > 0 && line[end - 1] == 0x0A { end -= 1 }
        if end > 0 && line[end - 1] == 0x0D { end -= 1 }
        guard end > 0, line[end - 1] == 0x7D else { return nil }  // }
        end -= 1
        if end > 0 && line[end - 1] == 0x2B {  // +
            guard allowsNonSynchronizing else { return nil }
            end -= 1
        }
        var start = end
        while start > 0, (0x30...0x39).contains(line[start - 1]) { start -= 1 }
        guard start < end, end - start <= 10, start > 0, line[start - 1] == 0x7B else { return nil }  // {
        var value = 0
        for digit in line[start..<end] { value = value * 10 + Int(digit - 0x30) }
        return value
    }
}
