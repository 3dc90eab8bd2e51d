import Glibc
import Posix

// Output for a human who ran the binary by hand; never used while serving a connection.
extension ProcessControl {
    /// Prints to stdout (only for --help/--version, which serve no connection).
    static func printToTerminal(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
    }

    /// A usage error: logged to syslog, and shown on stderr only when stderr is a terminal.
    static func usageError(_ text: String) -> Never {
        if isatty(2) != 0 {
            let bytes = Array(("managesieved: " + text).utf8)
            _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        }
        Logger(destination: .syslog(facility: "mail", ident: "managesieved")).log(.error, "usage error: \(text)")
        exit(64)
    }
}
