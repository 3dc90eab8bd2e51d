// RFC 8259 JSON, strictly and within fixed bounds: tokens and key sets come from clients and from files an
// attacker may have influenced, so every input is capped in size, depth and element count, strings must be
// valid UTF-8 (no lone surrogates), and an object with a repeated member name is refused rather than
// resolved one way or the other (RFC 7515 §5.2 and RFC 7519 §4 ask for exactly that).

/// A parsed JSON value.
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    /// A number: its value as a Double and its source text (integers above 2^53 keep their digits there).
    case number(Double, text: String)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The string, when this is a string.
    public var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The number, when this is a number.
    public var number: Double? {
        if case .number(let value, _) = self { return value }
        return nil
    }

    /// The object, when this is an object.
    public var object: JSONObject? {
        if case .object(let value) = self { return value }
        return nil
    }

    /// What kind of value this is, for messages ("a string", "an array").
    public var kindDescription: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// A JSON object: its members in document order, each name once.
public struct JSONObject: Equatable, Sendable {
    public private(set) var members: [(name: String, value: JSONValue)]

    public init(_ members: [(name: String, value: JSONValue)] = []) {
        self.members = members
    }

    public subscript(name: String) -> JSONValue? {
        for member in members where member.name == name { return member.value }
        return nil
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.members.count == rhs.members.count else { return false }
        for (l, r) in zip(lhs.members, rhs.members) where l.name != r.name || l.value != r.value {
            return false
        }
        return true
    }
}

/// Bounds for one parse. The defaults suit a JWT header or payload; a key set file gets larger ones.
public struct JSONLimits: Sendable {
    /// The longest input accepted, in octets.
    public var maxSize: Int
    /// The deepest nesting of arrays and objects (the parser's recursion is bounded by it).
    public var maxDepth: Int
    /// The most values (of any kind) in one document.
    public var maxValues: Int

    public init(maxSize: Int = 64 * 1024, maxDepth: Int = 16, maxValues: Int = 4096) {
        self.maxSize = maxSize
        self.maxDepth = maxDepth
        self.maxValues = maxValues
    }
}

/// Why a text is not acceptable JSON; `offset` is the octet where the parser stopped.
public struct JSONError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Equatable, Sendable {
        case tooLarge(limit: Int)
        case tooDeep(limit: Int)
        case tooManyValues(limit: Int)
        case unexpectedEnd
        case unexpectedByte(UInt8)
        case invalidNumber
        case invalidEscape
        case invalidUTF8
        case controlCharacterInString
        case duplicateName(String)
        case trailingData
    }

    public var kind: Kind
    public var offset: Int

    public init(kind: Kind, offset: Int) {
        self.kind = kind
        self.offset = offset
    }

    public var description: String {
        let what: String =
            switch kind {
            case .tooLarge(let limit): "longer than \(limit) octets"
            case .tooDeep(let limit): "nested deeper than \(limit) levels"
            case .tooManyValues(let limit): "more than \(limit) values"
            case .unexpectedEnd: "unexpected end of text"
            case .unexpectedByte(let byte): "unexpected \(Self.show(byte))"
            case .invalidNumber: "invalid number"
            case .invalidEscape: "invalid escape sequence"
            case .invalidUTF8: "invalid UTF-8"
            case .controlCharacterInString: "unescaped control character in a string"
            case .duplicateName(let name): "member name \"\(name)\" appears twice"
            case .trailingData: "data after the end of the value"
            }
        return "\(what) at octet \(offset)"
    }

    static func show(_ byte: UInt8) -> String {
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        let digits = Array("0123456789ABCDEF")
        return "byte 0x\(digits[Int(byte >> 4)])\(digits[Int(byte & 15)])"
    }
}

/// The parser. One document per call; whitespace around the value is allowed, nothing else.
public struct JSONParser {
    private let bytes: [UInt8]
    private let limits: JSONLimits
    private var position = 0
    private var values = 0

    /// Parses `bytes` as one JSON document.
    public static func parse(_ bytes: [UInt8], limits: JSONLimits = JSONLimits()) throws(JSONError) -> JSONValue {
        guard bytes.count <= limits.maxSize else {
            throw JSONError(kind: .tooLarge(limit: limits.maxSize), offset: limits.maxSize)
        }
        var parser = JSONParser(bytes: bytes, limits: limits)
        parser.skipWhitespace()
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.position == bytes.count else { throw JSONError(kind: .trailingData, offset: parser.position) }
        return value
    }

    private init(bytes: [UInt8], limits: JSONLimits) {
        self.bytes = bytes
        self.limits = limits
    }

    private func fail(_ kind: JSONError.Kind) -> JSONError { JSONError(kind: kind, offset: position) }

    // ws = *( %x20 / %x09 / %x0A / %x0D )
    private mutating func skipWhitespace() {
        while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
    }

    private func peek() throws(JSONError) -> UInt8 {
        guard position < bytes.count else { throw fail(.unexpectedEnd) }
        return bytes[position]
    }

    // value = false / null / true / object / array / number / string
    private mutating func value(depth: Int) throws(JSONError) -> JSONValue {
        values += 1
        guard values <= limits.maxValues else { throw fail(.tooManyValues(limit: limits.maxValues)) }
        let byte = try peek()
        switch byte {
        case UInt8(ascii: "{"): return .object(try object(depth: depth + 1))
        case UInt8(ascii: "["): return .array(try array(depth: depth + 1))
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw fail(.unexpectedByte(byte))
        }
    }

    private mutating func literal(_ word: StaticString) throws(JSONError) {
        let expected = UnsafeRawBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        for octet in expected {
            let byte = try peek()
            guard byte == octet else { throw fail(.unexpectedByte(byte)) }
            position += 1
        }
    }

    // object = begin-object [ member *( value-separator member ) ] end-object
    // member = string name-separator value
    private mutating func object(depth: Int) throws(JSONError) -> JSONObject {
        guard depth <= limits.maxDepth else { throw fail(.tooDeep(limit: limits.maxDepth)) }
        position += 1
        var members: [(name: String, value: JSONValue)] = []
        skipWhitespace()
        if try peek() == UInt8(ascii: "}") {
            position += 1
            return JSONObject(members)
        }
        while true {
            skipWhitespace()
            let nameStart = position
            guard try peek() == UInt8(ascii: "\"") else { throw fail(.unexpectedByte(bytes[position])) }
            let name = try string()
            if members.contains(where: { $0.name == name }) {
                throw JSONError(kind: .duplicateName(name), offset: nameStart)
            }
            skipWhitespace()
            guard try peek() == UInt8(ascii: ":") else { throw fail(.unexpectedByte(bytes[position])) }
            position += 1
            skipWhitespace()
            members.append((name, try value(depth: depth)))
            skipWhitespace()
            let next = try peek()
            position += 1
            if next == UInt8(ascii: "}") { return JSONObject(members) }
            guard next == UInt8(ascii: ",") else {
                position -= 1
                throw fail(.unexpectedByte(next))
            }
        }
    }

    // array = begin-array [ value *( value-separator value ) ] end-array
    private mutating func array(depth: Int) throws(JSONError) -> [JSONValue] {
        guard depth <= limits.maxDepth else { throw fail(.tooDeep(limit: limits.maxDepth)) }
        position += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if try peek() == UInt8(ascii: "]") {
            position += 1
            return elements
        }
        while true {
            skipWhitespace()
            elements.append(try value(depth: depth))
            skipWhitespace()
            let next = try peek()
            position += 1
            if next == UInt8(ascii: "]") { return elements }
            guard next == UInt8(ascii: ",") else {
                position -= 1
                throw fail(.unexpectedByte(next))
            }
        }
    }

    // number = [ minus ] int [ frac ] [ exp ]
    // int = zero / ( digit1-9 *DIGIT ); frac = decimal-point 1*DIGIT; exp = e [ minus / plus ] 1*DIGIT
    private mutating func number() throws(JSONError) -> JSONValue {
        let start = position
        if bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard position < bytes.count, isDigit(bytes[position]) else { throw fail(.invalidNumber) }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            if position < bytes.count, isDigit(bytes[position]) { throw fail(.invalidNumber) }
        } else {
            skipDigits()
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard position < bytes.count, isDigit(bytes[position]) else { throw fail(.invalidNumber) }
            skipDigits()
        }
        if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "e") {
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard position < bytes.count, isDigit(bytes[position]) else { throw fail(.invalidNumber) }
            skipDigits()
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            throw JSONError(kind: .invalidNumber, offset: start)
        }
        return .number(value, text: text)
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    private mutating func skipDigits() {
        while position < bytes.count, isDigit(bytes[position]) { position += 1 }
    }

    // string = quotation-mark *char quotation-mark
    // char = unescaped / escape ( %x22 / %x5C / %x2F / %x62 / %x66 / %x6E / %x72 / %x74 / %x75 4HEXDIG )
    private mutating func string() throws(JSONError) -> String {
        position += 1
        var out: [UInt8] = []
        while true {
            let byte = try peek()
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                guard let text = String(validating: out, as: UTF8.self) else { throw fail(.invalidUTF8) }
                return text
            case UInt8(ascii: "\\"):
                position += 1
                try escape(into: &out)
            case 0..<0x20:
                throw fail(.controlCharacterInString)
            default:
                out.append(byte)
                position += 1
            }
        }
    }

    private mutating func escape(into out: inout [UInt8]) throws(JSONError) {
        let byte = try peek()
        position += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(byte)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hex4()
            if scalar >= 0xD800 && scalar < 0xDC00 {
                // A high surrogate must be followed by an escaped low one (RFC 8259 §7).
                guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                    bytes[position + 1] == UInt8(ascii: "u")
                else { throw fail(.invalidEscape) }
                position += 2
                let low = try hex4()
                guard low >= 0xDC00 && low < 0xE000 else { throw fail(.invalidEscape) }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if scalar >= 0xDC00 && scalar < 0xE000 {
                throw fail(.invalidEscape)
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw fail(.invalidEscape) }
            out.append(contentsOf: Array(String(Character(unicode)).utf8))
        default:
            position -= 1
            throw fail(.invalidEscape)
        }
    }

    private mutating func hex4() throws(JSONError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = try peek()
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - 0x30
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - 0x61 + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - 0x41 + 10
            default: throw fail(.invalidEscape)
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }
}
