import Config
import ManageSieveServer
import Posix
import ServerConfiguration
import TLS

/// The server's TLS context, built when a connection first needs it: a STARTTLS command or an implicit-TLS
/// connection. Building it (OpenSSL's provider set-up, PEM decoding, the key check) costs more than the rest of
/// the start-up together and most of a connection's memory, so a client that never starts TLS must not pay it,
/// and a STARTTLS client must not wait for it before its greeting. Both moments come before login, so the
/// process is still root and can read a key only root may read.
///
/// What can be judged without OpenSSL is judged before the greeting (`check`): TLS settings that are missing,
/// and certificate, key or CA files that cannot be read, are refused at once with BYE and exit status 78, so
/// STARTTLS is never offered for them. What only OpenSSL can judge (a key that does not match the certificate,
/// an expired certificate, a bad protocol or cipher setting) is logged as an error when the context is built and
/// ends that connection; `managesievectl config` builds the context the same way and reports it beforehand.
final class DeferredTLSContext {
    private let settings: TLSSettings
    private let logger: Logger
    private var built: TLSServerContext?
    /// Whether the context has been built (the connect line says so: a STARTTLS client's greeting must not wait
    /// for it).
    private(set) var isBuilt = false

    private init(settings: TLSSettings, logger: Logger) {
        self.settings = settings
        self.logger = logger
    }

    /// The deferred context when `ssl` is on; nil when it is off. Refuses service (BYE, exit 78) when the TLS
    /// settings are incomplete or a file they name cannot be read.
    static func check(settings: Settings, configPath: String, logger: Logger) -> DeferredTLSContext? {
        guard settings.ssl != .no else { return nil }
        guard let tls = settings.tlsSettings else {
            refuseService(
                logger, "\(configPath): ssl = \(settings.ssl) needs ssl_cert and ssl_key", code: ExitCode.config)
        }
        let unreadable = "No such file or not readable"
        var problems: [TLSError] = []
        if !FileRead.isReadable(tls.certificatePath) {
            problems.append(.certificateUnreadable(path: tls.certificatePath, reason: unreadable))
        }
        if !FileRead.isReadable(tls.keyPath) { problems.append(.keyUnreadable(path: tls.keyPath, reason: unreadable)) }
        if let ca = tls.caPath, !FileRead.isReadable(ca) {
            problems.append(.caUnreadable(path: ca, reason: unreadable))
        }
        if let problem = problems.first {
            refuseService(logger, "cannot start TLS: \(problem)", code: ExitCode.config)
        }
        return DeferredTLSContext(settings: tls, logger: logger)
    }

    /// The context, built now if it was not yet. A failure is logged as the configuration error it is.
    func context() throws(TLSError) -> TLSServerContext {
        if let built { return built }
        do {
            let context = try TLSServerContext(settings: settings)
            built = context
            isBuilt = true
            return context
        } catch {
            logger.log(.error, "cannot start TLS: \(error) (managesievectl config reports it too)")
            throw error
        }
    }
}
