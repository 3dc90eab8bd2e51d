internal import CLinux
import Glibc

extension Logger {
    /// Prepares the line written if the process dies of a signal from now on: `head`, the signal's name,
    /// `tail`, with this logger's context prefix, at error level, to the same destination as other lines.
    /// The parts are fixed now because the signal handler may not allocate.
    func installLastWords(_ head: String, _ tail: String) {
        openNow()
        let text = Logger.sanitized(contextPrefix() + head)
        let ending = Logger.sanitized(tail)
        switch sink {
        case .discard, .unopenedFile:
            return
        case .syslog(let facility):
            clinux_install_last_words(-1, facility | LogLevel.error.syslogPriority, "", text, ending)
        case .file(let fd):
            clinux_install_last_words(fd, 0, "\(ident)[\(getpid())]", text, ending)
        }
    }
}
