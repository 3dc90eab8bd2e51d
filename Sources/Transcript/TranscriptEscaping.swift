/// The text form of recorded bytes: one record is one physical line whatever the bytes were.
///
/// Printable ASCII and valid UTF-8 (other than control characters) stay as they are; a backslash is
/// written `\\`, CR `\r`, LF `\n`, TAB `\t`, every other byte `\xHH`. `unescape` reverses it exactly.
public enum TranscriptEscaping {
    public static func escape(_ bytes: some Collection<UInt8>) -> String {
        let bytes = Array(bytes)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case 0x5C: out += [0x5C, 0x5C]
            case 0x0D: out += [0x5C, 0x72]
            case 0x0A: out += [0x5C, 0x6E]
            case 0x09: out += [0x5C, 0x74]
            case 0x20..<0x7F: out.append(byte)
            default:
                let length = utf8SequenceLength(bytes, at: index)
                if length > 1 {
                    out += bytes[index..<index + length]
                    index += length
                    continue
                }
                out += hex(byte)
            }
            index += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The bytes behind an escaped text; nil if an escape is malformed.
    public static func unescape(_ text: Substring) -> [UInt8]? {
        let raw = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var index = 0
        while index < raw.count {
            let byte = raw[index]
            guard byte == 0x5C else {
                out.append(byte)
                index += 1
                continue
            }
            guard index + 1 < raw.count else { return nil }
            switch raw[index + 1] {
            case 0x5C: out.append(0x5C)
            case 0x72: out.append(0x0D)
            case 0x6E: out.append(0x0A)
            case 0x74: out.append(0x09)
            case 0x78:
                guard index + 3 < raw.count, let high = hexValue(raw[index + 2]), let low = hexValue(raw[index + 3])
                else { return nil }
                out.append(high << 4 | low)
                index += 4
                continue
            default: return nil
            }
            index += 2
        }
        return out
    }

    static func hex(_ byte: UInt8) -> [UInt8] {
        let digits = Array("0123456789ABCDEF".utf8)
        return [0x5C, 0x78, digits[Int(byte >> 4)], digits[Int(byte & 0xF)]]
    }

    static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case 0x30...0x39: digit - 0x30
        case 0x41...0x46: digit - 0x41 + 10
        case 0x61...0x66: digit - 0x61 + 10
        default: nil
        }
    }

    /// The length of a valid, non-control UTF-8 sequence of 2–4 octets starting at `index`; 0 otherwise
    /// (C1 controls U+0080–U+009F count as control and are escaped too, to keep terminals safe).
    static func utf8SequenceLength(_ bytes: [UInt8], at index: Int) -> Int {
        let lead = bytes[index]
        let length: Int
        let minimum: UInt32
        var scalar: UInt32
        switch lead {
        case 0xC2...0xDF: (length, minimum, scalar) = (2, 0xA0, UInt32(lead & 0x1F))
        case 0xE0...0xEF: (length, minimum, scalar) = (3, 0x800, UInt32(lead & 0x0F))
        case 0xF0...0xF4: (length, minimum, scalar) = (4, 0x10000, UInt32(lead & 0x07))
        default: return 0
        }
        guard index + length <= bytes.count else { return 0 }
        for offset in 1..<length {
            let next = bytes[index + offset]
            guard next & 0xC0 == 0x80 else { return 0 }
            scalar = scalar << 6 | UInt32(next & 0x3F)
        }
        guard scalar >= minimum, scalar <= 0x10FFFF, !(0xD800...0xDFFF).contains(scalar) else { return 0 }
        return length
    }
}
