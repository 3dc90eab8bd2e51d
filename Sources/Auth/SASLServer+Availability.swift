extension SASLServer {
    /// The mechanisms that can succeed for the users of `passwd` on a connection described by `context`,
    /// in the order to advertise them. (Plaintext-auth policy is the session's: it filters PLAIN/LOGIN.)
    public static func availableMechanisms(for passwd: PasswdFile, context: SASLContext) -> [String] {
        plaintextMechanisms
    }
}
