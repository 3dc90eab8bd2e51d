// RFC 5228 §8.2 (grammar): the syntax tree the parser builds and the validator checks.

/// A string literal as written (decoded), with its position.
struct StringLiteral: Sendable {
    var bytes: [UInt8]
    var line: Int
    var column: Int
    var isMultiline: Bool = false
    /// What encoded-character decoding left behind (rare: kept out of line so literals stay small).
    var decoding: Decoding? = nil

    final class Decoding: Sendable {
        /// The string as written.
        let raw: [UInt8]
        /// An out-of-range `${unicode:…}` value, if any.
        let invalidUnicode: String?
        init(raw: [UInt8], invalidUnicode: String?) {
            self.raw = raw
            self.invalidUnicode = invalidUnicode
        }
    }

    /// Set when encoded-character decoding met an out-of-range `${unicode:…}` value.
    var invalidUnicode: String? { decoding?.invalidUnicode }

    /// The string as written: Pigeonhole checks variable names before decoding encoded characters.
    var written: [UInt8] { decoding?.raw ?? bytes }

    var text: String { String(decoding: bytes, as: UTF8.self) }

    /// RFC 5228 §2.4.2.4: replaces `${hex:…}`/`${unicode:…}`, remembering the original.
    mutating func decodeEncodedCharacters() {
        let decoded = VariableSyntax.decodeEncodedCharacters(bytes)
        let invalid = VariableSyntax.invalidUnicodeEncoding(bytes)
        guard decoded != bytes || invalid != nil else { return }
        decoding = Decoding(raw: bytes, invalidUnicode: invalid)
        bytes = decoded
    }
}

/// argument = string-list / number / tag
struct Argument: Sendable {
    enum Value: Sendable {
        case string(StringLiteral)
        case stringList([StringLiteral])
        case number(UInt64)
        case tag(String)
    }
    var value: Value
    var line: Int
    var column: Int

    var tagName: String? { if case .tag(let t) = value { return t } else { return nil } }
    /// Whether this is a tag (without copying its name).
    var isTag: Bool { if case .tag = value { return true } else { return false } }
    var strings: [StringLiteral]? {
        switch value {
        case .string(let s): return [s]
        case .stringList(let l): return l
        case .number, .tag: return nil
        }
    }
    var typeName: String {
        switch value {
        case .string: return "string"
        case .stringList: return "string list"
        case .number: return "number"
        case .tag(let t): return "tag ':\(t)'"
        }
    }
}

/// command = identifier arguments (";" / block);  test = identifier arguments
final class Node {
    let name: String
    var arguments: [Argument]
    let tests: [Node]
    /// Whether the tests were written as a test-list "( … )".
    let hasTestList: Bool
    /// nil when the command ends with ";".
    let block: [Node]?
    let line: Int
    let column: Int

    init(name: String, arguments: [Argument], tests: [Node], hasTestList: Bool, block: [Node]?, line: Int, column: Int)
    {
        self.name = name
        self.arguments = arguments
        self.tests = tests
        self.hasTestList = hasTestList
        self.block = block
        self.line = line
        self.column = column
    }
}
