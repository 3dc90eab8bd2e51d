import Testing

@testable import TLS

@Suite("TLSServerContext")
struct TLSServerContextTests {
    let files = CertificateFiles.shared

    @Test("builds a context from a valid certificate and key")
    func valid() throws {
        _ = try TLSServerContext(
            settings: TLSSettings(certificatePath: files.serverCertificate, keyPath: files.serverKey))
    }

    @Test("a missing certificate file is reported with its path and errno text")
    func missingCertificate() {
        let path = files.directory + "/nope.pem"
        #expect(throws: TLSError.certificateUnreadable(path: path, reason: "No such file or directory (errno 2)")) {
            try TLSServerContext(settings: TLSSettings(certificatePath: path, keyPath: files.serverKey))
        }
    }

    @Test("a file that is not PEM is refused with OpenSSL's reason")
    func notPEM() {
        do {
            _ = try TLSServerContext(
                settings: TLSSettings(certificatePath: files.directory + "/ca.cnf", keyPath: files.serverKey))
            Issue.record("accepted a config file as certificate")
        } catch {
            guard case .certificateUnreadable(_, let reason) = error else { Issue.record("\(error)"); return }
            #expect(reason.contains("no start line"))
            #expect(error.description.hasPrefix("cannot load TLS certificate "))
        }
    }

    @Test("a missing key file is reported")
    func missingKey() {
        let path = files.directory + "/nope.key"
        #expect(throws: TLSError.keyUnreadable(path: path, reason: "No such file or directory (errno 2)")) {
            try TLSServerContext(settings: TLSSettings(certificatePath: files.serverCertificate, keyPath: path))
        }
    }

    @Test("a passphrase-protected key fails at once instead of prompting")
    func encryptedKey() {
        do {
            _ = try TLSServerContext(
                settings: TLSSettings(certificatePath: files.serverCertificate, keyPath: files.encryptedKey))
            Issue.record("loaded an encrypted key without a passphrase")
        } catch {
            guard case .keyUnreadable(let path, let reason) = error else { Issue.record("\(error)"); return }
            #expect(path == files.encryptedKey)
            #expect(!reason.isEmpty)
        }
    }

    @Test(
        "keys load in every PEM form: PKCS#8, traditional RSA, EC parameters before the key",
        arguments: [
            ("rsa.pem", "rsa8.key"), ("rsa.pem", "rsa.key"), ("ecparam.pem", "ecparam.key"),
            ("ed25519.pem", "ed25519.key"),
        ])
    func keyForms(certificate: String, key: String) throws {
        _ = try TLSServerContext(
            settings: TLSSettings(
                certificatePath: files.directory + "/" + certificate, keyPath: files.directory + "/" + key))
    }

    @Test("a PKCS#8 key of another type than the certificate, or another pair's RSA key, is a key mismatch")
    func mismatchedType() {
        #expect(throws: TLSError.keyMismatch) {
            try TLSServerContext(
                settings: TLSSettings(certificatePath: files.serverCertificate, keyPath: files.ed25519Key))
        }
        #expect(throws: TLSError.keyMismatch) {
            try TLSServerContext(
                settings: TLSSettings(certificatePath: files.ed25519Certificate, keyPath: files.rsaPKCS8Key))
        }
        #expect(throws: TLSError.keyMismatch) {
            try TLSServerContext(
                settings: TLSSettings(certificatePath: files.rsaCertificate, keyPath: files.serverKey))
        }
    }

    @Test("a key of another pair is a key mismatch")
    func mismatch() {
        #expect(throws: TLSError.keyMismatch) {
            try TLSServerContext(
                settings: TLSSettings(certificatePath: files.serverCertificate, keyPath: files.otherKey))
        }
    }

    @Test("an expired certificate is refused with its notAfter date")
    func expired() {
        #expect(throws: TLSError.certificateExpired(notAfter: "Jan  2 00:00:00 2020 GMT")) {
            try TLSServerContext(
                settings: TLSSettings(certificatePath: files.expiredCertificate, keyPath: files.expiredKey))
        }
        #expect(
            TLSError.certificateExpired(notAfter: "Jan  2 00:00:00 2020 GMT").description
                == "the TLS certificate expired on Jan  2 00:00:00 2020 GMT")
    }

    @Test("an unknown minimum protocol is refused", arguments: ["SSLv2", "TLSv1.4", ""])
    func badProtocol(name: String) {
        #expect(throws: TLSError.badProtocol(name)) {
            try TLSServerContext(
                settings: TLSSettings(
                    certificatePath: files.serverCertificate, keyPath: files.serverKey, minProtocol: name))
        }
    }

    @Test("Dovecot's protocol names map to OpenSSL versions")
    func protocolNames() throws {
        #expect(try TLSServerContext.protocolVersion(named: "TLSv1.2") == 0x0303)
        #expect(try TLSServerContext.protocolVersion(named: "TLSv1.3") == 0x0304)
        #expect(try TLSServerContext.protocolVersion(named: "ANY") == 0)
    }

    @Test("a cipher list that selects nothing is refused")
    func badCipherList() {
        #expect(throws: TLSError.badCipherList("NOSUCHCIPHER")) {
            try TLSServerContext(
                settings: TLSSettings(
                    certificatePath: files.serverCertificate, keyPath: files.serverKey, cipherList: "NOSUCHCIPHER"))
        }
    }

    @Test("verifying client certificates needs a CA file")
    func verifyNeedsCA() {
        #expect(throws: TLSError.caUnreadable(path: "", reason: "ssl_verify_client_cert needs ssl_ca")) {
            try TLSServerContext(
                settings: TLSSettings(
                    certificatePath: files.serverCertificate, keyPath: files.serverKey, verifyClientCertificate: true))
        }
        let path = files.directory + "/noca.pem"
        #expect(throws: TLSError.caUnreadable(path: path, reason: "No such file or directory (errno 2)")) {
            try TLSServerContext(
                settings: TLSSettings(
                    certificatePath: files.serverCertificate, keyPath: files.serverKey, caPath: path))
        }
    }
}
