extension SASLServer {
    /// The mechanisms that can succeed for the users of `passwd` on a connection described by `context`,
    /// in the order to advertise them. (Plaintext-auth policy is the session's: it filters PLAIN/LOGIN.)
    ///
    /// SCRAM-SHA-x is offered when at least one user can use it (stored `{SCRAM-SHA-x}` credentials or a
    /// cleartext password); its -PLUS variant only inside TLS with a channel binding to offer; EXTERNAL only with
    /// a verified client certificate. Offering SCRAM to a passwd-file of crypt hashes would only make clients
    /// that prefer it fail.
    ///
    /// OAUTHBEARER and XOAUTH2 come only with `oauth` (a configured token validator). Like PLAIN and LOGIN they
    /// carry a credential in the clear, so the session withholds them before TLS in the same way.
    public static func availableMechanisms(
        for passwd: some SCRAMAvailability, context: SASLContext, oauth: Bool = false
    )
        -> [String]
    {
        let plus = context.tlsActive && !context.channelBindings.isEmpty
        var mechanisms: [String] = []
        for hash in [SCRAMHash.sha256, .sha1] where passwd.canServe(hash) {
            if plus { mechanisms.append(hash.mechanism + "-PLUS") }
            mechanisms.append(hash.mechanism)
        }
        if context.tlsActive, context.certificateUser != nil {
            mechanisms.append("EXTERNAL")
        }
        if oauth { mechanisms += bearerMechanisms }
        return mechanisms + plaintextMechanisms
    }
}
