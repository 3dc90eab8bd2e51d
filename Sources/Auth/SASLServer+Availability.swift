extension SASLServer {
    /// The mechanisms that can succeed for the users of `passwd` on a connection described by `context`,
    /// in the order to advertise them. (Policy is the session's: `auth_mechanisms` and what is withheld before
    /// TLS, see `offeredBeforeTLS`.)
    ///
    /// PLAIN and LOGIN come first: every user of the passwd-file can log in with them, and clients that take the
    /// first advertised mechanism (Net::ManageSieve) would otherwise pick SCRAM for users it cannot serve.
    /// Clients that choose by strength (sievemgr, scramp) still pick SCRAM.
    ///
    /// SCRAM-SHA-x is offered when at least one user can use it (stored `{SCRAM-SHA-x}` credentials or a
    /// cleartext password); its -PLUS variant only inside TLS with a channel binding to offer; EXTERNAL only with
    /// a verified client certificate. Offering SCRAM to a passwd-file of crypt hashes would only make clients
    /// that prefer it fail.
    ///
    /// OAUTHBEARER and XOAUTH2 come only with `oauth` (a configured token validator). Like PLAIN and LOGIN they
    /// carry a credential in the clear, so the session withholds them before TLS in the same way.
    ///
    /// A checkpassword program (`checkpassword`) can only check a password it is given: only PLAIN and LOGIN
    /// reach it. With `checkpasswordForAll` (every login must pass the program) SCRAM is not offered, since it
    /// would log passwd-file users in without the program.
    public static func availableMechanisms(
        for passwd: some SCRAMAvailability, context: SASLContext, oauth: Bool = false,
        checkpasswordForAll: Bool = false
    )
        -> [String]
    {
        let plus = context.tlsActive && !context.channelBindings.isEmpty
        var mechanisms = plaintextMechanisms
        for hash in [SCRAMHash.sha256, .sha1] where !checkpasswordForAll && passwd.canServe(hash) {
            if plus { mechanisms.append(hash.mechanism + "-PLUS") }
            mechanisms.append(hash.mechanism)
        }
        if context.tlsActive, context.certificateUser != nil {
            mechanisms.append("EXTERNAL")
        }
        if oauth { mechanisms += bearerMechanisms }
        return mechanisms
    }

    /// True for the SCRAM family (with or without -PLUS).
    public static func isSCRAM(_ mechanism: String) -> Bool { mechanism.uppercased().hasPrefix("SCRAM-") }

    /// What may be offered on a connection without TLS when `disable_plaintext_auth` is on: nothing that sends
    /// a password or a token an eavesdropper could replay (PLAIN, LOGIN, and any mechanism added later), and
    /// SCRAM only when `allowSCRAM` — a SCRAM exchange seen by an attacker who stripped STARTTLS is enough to
    /// guess the password offline. Order is kept.
    public static func offeredBeforeTLS(_ mechanisms: [String], allowSCRAM: Bool) -> [String] {
        mechanisms.filter { allowSCRAM && isSCRAM($0) && !$0.uppercased().hasSuffix("-PLUS") }
    }

    /// What SCRAM shows for users of `passwd` without stored credentials of a hash: a salt keyed by `saltKey`
    /// and the iteration count of the file's first real entry of each hash (4096 when there is none).
    public static func scramDefaults(for passwd: PasswdDatabase, saltKey: [UInt8]) -> SCRAMDefaults {
        var iterations: [SCRAMHash: Int] = [:]
        for hash in SCRAMHash.allCases {
            if let count = passwd.scramIterations(hash) { iterations[hash] = count }
        }
        return SCRAMDefaults(saltKey: saltKey, iterations: iterations)
    }
}
