import Config
import ManageSieveProtocol
import ManageSieveServer
import SieveCompiler

// Where the settings become the session's settings and the connection's time limits (the local backend's
// policy is in Settings+LocalBackend.swift): the server's start-up takes them from here, not field by field.

extension Settings {
    /// What the session needs: limits, login rules and the capabilities' inputs. `tlsAvailable`: STARTTLS can be
    /// offered (TLS is configured and its files are readable); `xclientTrusted`: the peer is in
    /// `login_trusted_networks`.
    public func serverSettings(
        compileOptions: CompileOptions, tlsAvailable: Bool, xclientTrusted: Bool
    ) -> ServerSettings {
        var server = ServerSettings()
        server.implementationString = implementationString
        server.compileOptions = compileOptions
        server.authFailureDelayMilliseconds = authFailureDelayMilliseconds
        server.authMaxAttempts = authMaxAttempts
        server.maxBadCommands = maxBadCommands
        server.maxCommands = maxCommands
        server.maxScriptSize = effectiveMaxScriptSize
        server.tlsAvailable = tlsAvailable
        server.tlsRequired = ssl == .required
        server.disablePlaintextAuth = effectiveDisablePlaintextAuth
        server.allowSCRAMBeforeTLS = authAllowSCRAMBeforeTLS
        // Unwrapped, then stored: assigning the optional as a whole made the compiler copy it through the
        // runtime's type metadata, whose first use costs more than the greeting's own work.
        if let mechanisms = authMechanisms { server.authMechanisms = mechanisms }
        server.parserLimits = ParserLimits(maxLineLength: maxLineLength, maxScriptSize: effectiveMaxScriptSize)
        server.xclientTrusted = xclientTrusted
        return server
    }

    /// The connection's time limits (the TLS handshake's keeps its default).
    public var connectionTimeouts: ConnectionTimeouts {
        var timeouts = ConnectionTimeouts()
        timeouts.idle = idleTimeoutMilliseconds
        timeouts.command = commandTimeoutMilliseconds
        timeouts.login = loginTimeoutMilliseconds
        return timeouts
    }
}
