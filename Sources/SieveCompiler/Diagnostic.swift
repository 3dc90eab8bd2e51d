/// One compiler finding, with its position. The text comes from `DiagnosticKind` (Messages.swift).
public struct Diagnostic: Equatable, Sendable {
    public enum Severity: Equatable, Sendable { case error, warning }
    public var severity: Severity
    /// 1-based line.
    public var line: Int
    /// 1-based column, in octets.
    public var column: Int
    public var kind: DiagnosticKind
    /// Prefix naming the included script the finding belongs to ("in included script 'x': "), else "".
    public var context: String = ""

    public init(severity: Severity, line: Int, column: Int, kind: DiagnosticKind, context: String = "") {
        self.severity = severity
        self.line = line
        self.column = column
        self.kind = kind
        self.context = context
    }

    /// The rendered text without location, e.g. "unknown command 'fileint' (did you mean 'fileinto'?)".
    public var message: String { context + kind.message }

    private var severityText: String {
        switch severity {
        case .error: return "error"
        case .warning: return "warning"
        }
    }

    /// The ManageSieve form: "line 7: error: unknown command 'fileint' (did you mean 'fileinto'?)".
    public var wireText: String {
        let location = line > 0 ? "line \(line): " : ""
        return "\(context)\(location)\(severityText): \(kind.message)"
    }

    /// The command-line form: "FILE:7:3: error: …".
    public func render(fileName: String) -> String {
        // A finding about the whole script (its size) has no position.
        line > 0
            ? "\(fileName):\(line):\(column): \(severityText): \(message)" : "\(fileName): \(severityText): \(message)"
    }
}

/// Collects diagnostics; shared by lexer, parser and validator. Errors beyond `maxErrors` are dropped
/// and make `isFull` true so the phases stop early (bounded work on hostile input).
final class DiagnosticSink {
    private(set) var diagnostics: [Diagnostic] = []
    private(set) var errorCount = 0
    private var warningCount = 0
    let maxErrors: Int
    let maxWarnings = 100
    private(set) var isFull = false
    /// Keys of messages that are reported only once ("unknown command 'x'").
    private var reportedOnce: Set<String> = []

    init(maxErrors: Int) { self.maxErrors = max(1, maxErrors) }

    func error(_ kind: DiagnosticKind, line: Int, column: Int) {
        guard !isFull else { return }
        diagnostics.append(Diagnostic(severity: .error, line: line, column: column, kind: kind))
        errorCount += 1
        if errorCount >= maxErrors { isFull = true }
    }

    func warning(_ kind: DiagnosticKind, line: Int, column: Int) {
        guard warningCount < maxWarnings, !isFull else { return }
        warningCount += 1
        diagnostics.append(Diagnostic(severity: .warning, line: line, column: column, kind: kind))
    }

    /// Reports `kind` only the first time `key` is seen.
    func errorOnce(key: String, _ kind: DiagnosticKind, line: Int, column: Int) {
        guard !reportedOnce.contains(key) else { return }
        reportedOnce.insert(key)
        error(kind, line: line, column: column)
    }

    func markFull() { isFull = true }

    /// Whether a report-once message was already given (so its text need not be built again).
    func wasReported(key: String) -> Bool { reportedOnce.contains(key) }
}
