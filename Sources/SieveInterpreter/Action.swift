// RFC 5228 §4 (actions) and what the extensions add, as a dry run lists them.

/// One action of the script's result, in execution order (duplicates merged as RFC 5228 §2.10.3 and
/// Pigeonhole do).
public enum Action: Equatable, Sendable {
    /// `keep` (or `fileinto "INBOX"`, which is the same store); `flags` as written.
    case keep(flags: [String])
    case fileinto(mailbox: String, flags: [String], copy: Bool, create: Bool)
    case redirect(address: String, copy: Bool)
    case discard
    case reject(reason: String)
    case ereject(reason: String)
    case vacation(Vacation)
    case notify(Notification)
    case notifyDeprecated(DeprecatedNotification)

    public struct Vacation: Equatable, Sendable {
        public var seconds: Int
        public var subject: String?
        public var from: String?
        public var reason: String
        public var handle: String
    }

    public struct Notification: Equatable, Sendable {
        public var method: String
        public var importance: Int
        public var subject: String?
        public var from: String?
        public var recipients: [String]
        public var headers: [String]
        public var body: String?
    }

    public struct DeprecatedNotification: Equatable, Sendable {
        public var importance: Int
        public var message: String?
        public var id: String?
        public var recipients: [String]
    }
}

/// What a run decided.
public struct RunResult: Sendable {
    public var actions: [Action]
    public var implicitKeep: Bool
    public var implicitKeepFlags: [String]
    /// Runtime (or include compile) errors; with any, `actions` is empty and the implicit keep applies.
    public var errors: [String]
    /// Warnings that do not change the result (an invalid regex built from a variable, …).
    public var warnings: [String]
    /// With tracing on: one line per command and test executed.
    public var trace: [String]
    public var failed: Bool { !errors.isEmpty }

    public init(
        actions: [Action], implicitKeep: Bool, implicitKeepFlags: [String], errors: [String], warnings: [String] = [],
        trace: [String] = []
    ) {
        self.actions = actions
        self.implicitKeep = implicitKeep
        self.implicitKeepFlags = implicitKeepFlags
        self.errors = errors
        self.warnings = warnings
        self.trace = trace
    }
}
