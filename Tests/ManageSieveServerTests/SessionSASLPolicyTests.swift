import Auth
import Config
import ManageSieveProtocol
import ManageSieveServer
import Posix
import Testing

/// A backend whose mechanisms are the real availability rules over an in-memory passwd-file (the plain
/// `MemoryBackend` offers PLAIN and LOGIN only).
private final class AvailabilityBackend: SessionBackend {
    let passwd: PasswdFile
    var logins: [String] = []
    let memory = MemoryBackend()

    init(_ text: String) { passwd = PasswdFile(parsing: Array(text.utf8)) }
    func lookupUser(_ name: String) -> PasswdEntry? { passwd.entry(for: name) }
    func beginUserSession(_ entry: PasswdEntry) -> Result<LoginOutcome, LoginRefusal> {
        logins.append(entry.user)
        return memory.beginUserSession(entry)
    }
    func availableMechanisms(context: SASLContext) -> [String] {
        SASLServer.availableMechanisms(for: passwd, context: context)
    }
}

private let mixedPasswd =
    "alice:{PLAIN}secret:1000:1000::/home/alice::\n"
    + "dave:{SHA512-CRYPT}$6$burnburnburn1234$F/H4EWzO797S6vJ1.5MwtkJC/.7b5RQSq8O0vh9SviSvZB.ztH4Llp5QChym3DPTWs9CLSIQUvGbqHuKfZHWF.:1001:1001::/home/dave::\n"

private func b64(_ text: String) -> [UInt8] { Base64.encode(Array(text.utf8)) }

private func sent(_ effects: [Effect]) -> [Response] {
    effects.compactMap { effect in
        if case .send(.response(let response)) = effect { return response }
        return nil
    }
}

private func saslCapability(_ effects: [Effect]) -> String? {
    for effect in effects {
        if case .send(.capabilities(let caps)) = effect {
            return caps.first { $0.name == "SASL" }?.value
        }
    }
    return nil
}

private func isBye(_ effects: [Effect]) -> Bool { sent(effects).contains { $0.status == .bye } }

@Suite("Session SASL policy")
struct SessionSASLPolicyTests {
    @Test("a cancelled exchange is a failed attempt: delayed, and the attempt limit ends the session with BYE")
    func cancelCountsAsFailure() {
        var settings = testSettings()
        settings.authFailureDelayMilliseconds = 1500
        var session = Session(settings: settings, backend: AvailabilityBackend(mixedPasswd))
        _ = session.greeting()
        for attempt in 1...3 {
            let first = session.handle(
                .command(.authenticate(mechanism: "SCRAM-SHA-256", initialResponse: b64("n,,n=alice,r=abcdefgh"))))
            #expect(first.contains(.expectSASLResponse))
            let cancel = session.handle(.saslCancel)
            #expect(cancel.contains(.delay(milliseconds: 1500)))
            #expect(sent(cancel).first?.status == .no)
            #expect(isBye(cancel) == (attempt == 3))
        }
        #expect(session.isClosed)
    }

    @Test("an exchange left unfinished is logged as a failed attempt when the connection ends")
    func abandonedExchange() {
        var session = Session(settings: testSettings(), backend: AvailabilityBackend(mixedPasswd))
        #expect(session.unfinishedAuthentication == nil)
        _ = session.handle(.command(.authenticate(mechanism: "LOGIN", initialResponse: nil)))
        let line = "login failed: reason=cancelled user=- method=LOGIN: abandoned by client"
        #expect(session.unfinishedAuthentication == line)
    }

    @Test("with disable_plaintext_auth and STARTTLS offered, SCRAM is withheld before TLS like PLAIN and LOGIN")
    func scramWithheldBeforeTLS() {
        var settings = testSettings()
        settings.disablePlaintextAuth = true
        settings.tlsAvailable = true
        var session = Session(settings: settings, backend: AvailabilityBackend(mixedPasswd))
        #expect(saslCapability(session.greeting()) == "")
        let refused = session.handle(
            .command(.authenticate(mechanism: "SCRAM-SHA-256", initialResponse: b64("n,,n=alice,r=abcdefgh"))))
        #expect(sent(refused).first?.code == .encryptNeeded)
        #expect(!refused.contains(.expectSASLResponse))
        // Inside TLS everything is back.
        let caps = session.tlsStarted(TLSInfo(channelBindings: ["tls-exporter": [1, 2, 3]]))
        #expect(saslCapability(caps) == "PLAIN LOGIN SCRAM-SHA-256-PLUS SCRAM-SHA-256 SCRAM-SHA-1-PLUS SCRAM-SHA-1")
    }

    @Test("auth_allow_scram_before_tls keeps SCRAM (never -PLUS, PLAIN or LOGIN) before TLS")
    func scramAllowedBeforeTLS() {
        var settings = testSettings()
        settings.disablePlaintextAuth = true
        settings.tlsAvailable = true
        settings.allowSCRAMBeforeTLS = true
        var session = Session(settings: settings, backend: AvailabilityBackend(mixedPasswd))
        #expect(saslCapability(session.greeting()) == "SCRAM-SHA-256 SCRAM-SHA-1")
        let first = session.handle(
            .command(.authenticate(mechanism: "SCRAM-SHA-256", initialResponse: b64("n,,n=alice,r=abcdefgh"))))
        #expect(first.contains(.expectSASLResponse))
    }

    @Test("without TLS at all (ssl = no) there is no STARTTLS to strip: disable_plaintext_auth leaves SCRAM")
    func scramWithoutAnyTLS() {
        var settings = testSettings()
        settings.disablePlaintextAuth = true
        var session = Session(settings: settings, backend: AvailabilityBackend(mixedPasswd))
        #expect(saslCapability(session.greeting()) == "SCRAM-SHA-256 SCRAM-SHA-1")
    }

    @Test("auth_mechanisms limits what is offered and accepted")
    func authMechanisms() {
        var settings = testSettings()
        settings.authMechanisms = ["PLAIN"]
        var session = Session(settings: settings, backend: AvailabilityBackend(mixedPasswd))
        #expect(saslCapability(session.greeting()) == "PLAIN")
        for mechanism in ["LOGIN", "SCRAM-SHA-256"] {
            let refused = session.handle(.command(.authenticate(mechanism: mechanism, initialResponse: nil)))
            #expect(sent(refused).first?.text == Array("Unsupported authentication mechanism.".utf8))
        }
    }

    @Test("mechanisms are advertised in auth_mechanisms' order, as Dovecot does, each only where it can succeed")
    func authMechanismsOrder() {
        var settings = testSettings()
        settings.authMechanisms = ["PLAIN", "LOGIN", "SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"]
        var session = Session(settings: settings, backend: AvailabilityBackend(mixedPasswd))
        #expect(saslCapability(session.greeting()) == "PLAIN LOGIN SCRAM-SHA-256")
        let caps = session.tlsStarted(TLSInfo(channelBindings: ["tls-exporter": [1, 2, 3]]))
        #expect(saslCapability(caps) == "PLAIN LOGIN SCRAM-SHA-256-PLUS SCRAM-SHA-256")
        settings.authMechanisms = ["LOGIN", "SCRAM-SHA-1", "PLAIN"]
        session = Session(settings: settings, backend: AvailabilityBackend(mixedPasswd))
        #expect(saslCapability(session.greeting()) == "LOGIN SCRAM-SHA-1 PLAIN")
    }

    @Test("an unoffered channel binding gets e= in the NO, no delay, and never counts toward the attempt limit")
    func channelBindingNegotiation() {
        var settings = testSettings()
        settings.authFailureDelayMilliseconds = 1500
        let backend = AvailabilityBackend(mixedPasswd)
        var session = Session(settings: settings, backend: backend)
        _ = session.greeting()
        _ = session.tlsStarted(TLSInfo(channelBindings: ["tls-exporter": [1, 2, 3]]))
        for _ in 1...5 {
            let effects = session.handle(
                .command(
                    .authenticate(
                        mechanism: "SCRAM-SHA-256-PLUS", initialResponse: b64("p=tls-unique,,n=dave,r=abcdefgh"))))
            let answer = sent(effects)
            #expect(answer.count == 1)
            #expect(answer.first?.status == .no)
            #expect(answer.first?.code == .sasl(b64("e=unsupported-channel-binding-type")))
            #expect(!effects.contains { if case .delay = $0 { true } else { false } })
        }
        // sievemgr's next steps for a crypt user: SCRAM fails at the proof (TRANSITION-NEEDED), then PLAIN.
        let first = session.handle(
            .command(.authenticate(mechanism: "SCRAM-SHA-256", initialResponse: b64("n,,n=dave,r=abcdefgh"))))
        #expect(first.contains(.expectSASLResponse))
        let proof = session.handle(.saslResponse(b64("c=biws,r=abcdefgh,p=AAAA")))
        #expect(sent(proof).first?.status == .no)
        let login = session.handle(
            .command(.authenticate(mechanism: "PLAIN", initialResponse: b64("\u{0}dave\u{0}burn"))))
        #expect(!isBye(login))
        #expect(!session.isClosed)
    }

    @Test("every failed SCRAM proof says TRANSITION-NEEDED, whoever the user is")
    func transitionNeeded() {
        for user in ["alice", "dave", "nobody"] {
            var session = Session(settings: testSettings(), backend: AvailabilityBackend(mixedPasswd))
            guard
                case .send(.saslChallenge(let challenge)) = session.handle(
                    .command(
                        .authenticate(mechanism: "SCRAM-SHA-256", initialResponse: b64("n,,n=\(user),r=abcdefgh")))
                )
                .first(where: { if case .send(.saslChallenge) = $0 { true } else { false } })
            else {
                Issue.record("\(user): no challenge")
                continue
            }
            let serverFirst = String(decoding: Base64.decode(challenge)!, as: UTF8.self)
            let nonce = serverFirst.split(separator: ",")[0].dropFirst(2)
            let proof = String(decoding: Base64.encode([UInt8](repeating: 7, count: 32)), as: UTF8.self)
            let effects = session.handle(.saslResponse(b64("c=biws,r=\(nonce),p=\(proof)")))
            #expect(sent(effects).first?.code == .transitionNeeded, "\(user)")
        }
    }

    @Test("auth_mechanisms accepts exactly the mechanisms the server implements")
    func configKnowsEveryMechanism() {
        #expect(Settings.saslMechanisms == SASLServer.supportedMechanisms + SASLServer.bearerMechanisms)
    }
}
