import SieveCompiler
import SieveMessage

/// Matches a POSIX extended regular expression: nil when it does not match (or does not compile), else
/// the whole match and each group (empty for a group that did not take part). The interpreter is pure:
/// the executables back this with regcomp/regexec.
public typealias RegexMatcher =
    @Sendable (_ pattern: [UInt8], _ caseInsensitive: Bool, _ subject: [UInt8]) -> [[UInt8]]?

/// Everything a run depends on besides the script and the message: injected so a run is deterministic.
public struct InterpreterContext: Sendable {
    /// The envelope sender (nil: none given; empty: the null sender "<>").
    public var envelopeFrom: String?
    /// The envelope recipient (also the original recipient).
    public var envelopeTo: String?
    /// The folders that exist (`mailboxexists`); INBOX always does.
    public var mailboxes: Set<String>
    /// The current time (`currentdate`, the zone of `date` without `:zone`).
    public var now: MessageDate
    public var regex: RegexMatcher?
    public var charset: CharsetConverter?
    /// Loads an included script: (name, global) → its text, nil when there is none.
    public var loadScript: (@Sendable (_ name: String, _ isGlobal: Bool) -> [UInt8]?)?
    /// The compiler options included scripts are compiled with (the configuration's extensions).
    public var compileOptions: CompileOptions
    /// sieve_max_redirects and sieve_max_actions.
    public var maxRedirects: Int
    public var maxActions: Int
    /// Pigeonhole's vacation periods: default, minimum, maximum (0: none), in seconds.
    public var vacationDefaultPeriod: Int
    public var vacationMinPeriod: Int
    public var vacationMaxPeriod: Int
    /// environment items (RFC 5183) answered by the `environment` test.
    public var environment: [String: String]
    /// Whether to record a trace line for every command and test.
    public var trace: Bool
    /// The unique ids the `duplicate` test finds as seen before (its state, injected; empty: none).
    public var duplicateSeen: Set<String> = []

    public init(
        envelopeFrom: String? = nil, envelopeTo: String? = nil, mailboxes: Set<String> = [],
        now: MessageDate = MessageDate(epochSeconds: 0, zoneMinutes: 0), regex: RegexMatcher? = nil,
        charset: CharsetConverter? = nil, loadScript: (@Sendable (String, Bool) -> [UInt8]?)? = nil,
        compileOptions: CompileOptions = CompileOptions(), maxRedirects: Int = 4, maxActions: Int = 32,
        vacationDefaultPeriod: Int = 7 * 86400, vacationMinPeriod: Int = 86400, vacationMaxPeriod: Int = 0,
        environment: [String: String] = InterpreterContext.defaultEnvironment, trace: Bool = false
    ) {
        self.envelopeFrom = envelopeFrom
        self.envelopeTo = envelopeTo
        self.mailboxes = mailboxes
        self.now = now
        self.regex = regex
        self.charset = charset
        self.loadScript = loadScript
        self.compileOptions = compileOptions
        self.maxRedirects = maxRedirects
        self.maxActions = maxActions
        self.vacationDefaultPeriod = vacationDefaultPeriod
        self.vacationMinPeriod = vacationMinPeriod
        self.vacationMaxPeriod = vacationMaxPeriod
        self.environment = environment
        self.trace = trace
    }

    /// The stable items Pigeonhole's sieve-test reports (RFC 5183 §4; location and phase are not set there).
    public static let defaultEnvironment: [String: String] = ["name": "Pigeonhole Sieve"]
}
