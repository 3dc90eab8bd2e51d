/// A password check outside the passwd-file (a checkpassword program), for PLAIN and LOGIN: the only
/// mechanisms that hand the server the password itself.
public struct ExternalPasswordCheck {
    /// Every user goes through it, not only those the passwd-file does not list.
    public var forAllUsers: Bool
    /// Checks `password` for `user`; `known` is the user's passwd-file entry, when there is one.
    public var check: (_ user: String, _ password: [UInt8], _ known: PasswdEntry?) -> ExternalPasswordVerdict

    public init(
        forAllUsers: Bool,
        check: @escaping (_ user: String, _ password: [UInt8], _ known: PasswdEntry?) -> ExternalPasswordVerdict
    ) {
        self.forAllUsers = forAllUsers
        self.check = check
    }
}

/// What the external check said.
public enum ExternalPasswordVerdict: Equatable, Sendable {
    /// The password is right; the entry carries the uid, gid and home to serve the user with.
    case accepted(PasswdEntry)
    /// Wrong password or unknown user.
    case rejected
    /// The check could not decide (the program failed, timed out, or gave no usable uid): try later.
    case temporaryFailure(String)
}

/// How the `checkpassword` setting runs its program.
public struct CheckpasswordConfiguration: Sendable {
    /// The program and its arguments.
    public var program: [String]
    /// The reply program this server hands it (`managesieved --checkpassword-reply`).
    public var reply: [String]
    /// `checkpassword_users = all`: every PLAIN/LOGIN login goes through the program.
    public var forAllUsers: Bool
    public var timeoutMilliseconds: Int

    public init(program: [String], reply: [String], forAllUsers: Bool, timeoutMilliseconds: Int) {
        self.program = program
        self.reply = reply
        self.forAllUsers = forAllUsers
        self.timeoutMilliseconds = timeoutMilliseconds
    }
}
