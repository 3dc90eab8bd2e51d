import ManageSieveProtocol
import SieveCompiler

/// Everything the session needs to know about the server's configuration.
/// Built by the executable from the configuration file; the server never reads `Config` itself.
public struct ServerSettings: Sendable {
    /// `managesieve_implementation_string`.
    public var implementationString: String = "managesieved"
    /// Extensions, limits and checks for uploaded scripts.
    public var compileOptions: CompileOptions = .init()
    /// `auth_failure_delay`, in milliseconds.
    public var authFailureDelayMilliseconds: Int = 2000
    /// `auth_max_attempts`: failed logins before BYE.
    public var authMaxAttempts: Int = 3
    /// `managesieve_max_bad_commands`: invalid commands before login before BYE.
    public var maxBadCommands: Int = 3
    /// `managesieve_max_commands`: 0 = unlimited.
    public var maxCommands: Int = 0
    /// `sieve_max_script_size`, the hard upper bound on any script.
    public var maxScriptSize: Int = 1 << 20
    /// STARTTLS can be offered (ssl = yes or required, and a context was built).
    public var tlsAvailable: Bool = false
    /// `ssl = required`: nothing but CAPABILITY, STARTTLS, NOOP and LOGOUT before TLS.
    public var tlsRequired: Bool = false
    /// `disable_plaintext_auth`: no PLAIN/LOGIN before TLS (nor SCRAM when STARTTLS is offered, unless
    /// `allowSCRAMBeforeTLS`).
    public var disablePlaintextAuth: Bool = false
    /// `auth_allow_scram_before_tls`: SCRAM stays offered before STARTTLS although `disablePlaintextAuth`.
    public var allowSCRAMBeforeTLS: Bool = false
    /// `auth_mechanisms`: the only mechanisms ever offered (upper case); nil offers every one that can succeed.
    public var authMechanisms: [String]? = nil
    /// Parser bounds (line length, literal sizes) once logged in.
    public var parserLimits: ParserLimits = .init()
    /// The peer is in `login_trusted_networks`: XCLIENT is offered and accepted before login.
    public var xclientTrusted: Bool = false
    /// Proxy hops a login may still take when no trusted proxy said otherwise (Dovecot's fixed proxy_ttl);
    /// a login arriving with 1 left is not relayed again.
    public var proxyTTL: Int = 5

    /// Before login no literal and no line may be larger than this, whatever `sieve_max_script_size` (even 0,
    /// unlimited) or `managesieve_max_line_length` say: nothing an unauthenticated client may send needs more
    /// (SASL messages and tokens are far smaller), and a larger literal ends the session at its header, before
    /// any of it is read.
    public static let preLoginLimit = 65536
    /// Commands served before login (counted over the whole connection): enough for CAPABILITY, STARTTLS,
    /// failed attempts and NOOPs of any real client, not for a client that keeps a process busy unauthenticated.
    public static let maxCommandsBeforeLogin = 100

    /// `parserLimits` capped at `preLoginLimit`.
    public var preLoginParserLimits: ParserLimits {
        var limits = parserLimits
        limits.maxLineLength = min(limits.maxLineLength, Self.preLoginLimit)
        limits.maxScriptSize = min(limits.maxScriptSize, Self.preLoginLimit)
        limits.maxOtherLiteralSize = min(limits.maxOtherLiteralSize, Self.preLoginLimit)
        limits.maxDiscardableLiteral = min(limits.maxDiscardableLiteral, UInt64(Self.preLoginLimit))
        return limits
    }

    public init() {}
}
