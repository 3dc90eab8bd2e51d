// RFC 4422 appendix A (EXTERNAL): the identity comes from the TLS layer, a verified client certificate.

extension SASLServer {
    // external-message = [authz-id-string]
    /// Logs in the certificate's user; the message may name that same user or nobody, never another one.
    /// The user must exist in the passwd-file, which also carries their uid, home and account flags.
    func external(_ message: [UInt8]) -> SASLStep {
        guard let certificateUser = context.certificateUser, context.tlsActive else {
            return .failure(.malformed("EXTERNAL without a verified client certificate"))
        }
        guard !message.contains(0), let authzid = String(validating: message, as: UTF8.self) else {
            return .failure(.malformed("EXTERNAL authorization identity contains NUL or is not UTF-8"))
        }
        guard authzid.isEmpty || authzid == certificateUser else {
            return .failure(.authorizationRefused(authzid))
        }
        guard let entry = lookup(certificateUser) else {
            return .failure(.unknownUser(certificateUser))
        }
        return .success(entry, serverFinal: nil)
    }
}
