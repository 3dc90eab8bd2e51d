/// A configuration file that cannot be used: where and why. `description` is `FILE:LINE: message`.
public struct ConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file name as given to the parser.
    public var file: String
    /// 1-based line number (0 when the error is not tied to a line).
    public var line: Int
    /// What is wrong and what was expected.
    public var message: String

    public var description: String { "\(file):\(line): \(message)" }
}

/// A bad value, before it is placed at a file and line.
struct ValueError: Error {
    var message: String
    init(_ message: String) { self.message = message }
}
