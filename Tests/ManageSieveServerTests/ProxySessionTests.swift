import Auth
import Foundation
import ManageSieveProtocol
import Posix
import SieveStorage
import Testing

@testable import ManageSieveServer

/// Users whose entries carry `proxy` are relayed; the rest are local.
final class ProxyingBackend: SessionBackend {
    let passwd: PasswdFile
    let store = MemoryStore()
    init(_ text: String) { passwd = PasswdFile(parsing: Array(text.utf8)) }
    func lookupUser(_ name: String) -> PasswdEntry? { passwd.entry(for: name) }
    func beginUserSession(_ entry: PasswdEntry) -> Result<LoginOutcome, LoginRefusal> {
        if entry.flags.contains("proxy") {
            do { return .success(.proxy(try ProxyTarget(entry: entry))) } catch {
                return .failure(.proxyMisconfigured(error.description))
            }
        }
        return .success(.local(UserContext(user: entry.user, store: store, maxScriptSize: 1 << 20)))
    }
    func availableMechanisms(context: SASLContext) -> [String] { ["SCRAM-SHA-256", "PLAIN", "LOGIN"] }
}

let proxyPasswd = """
    alice:{PLAIN}secret:1000:1000::/home/alice::proxy host=10.0.0.2 port=14190
    bob:{PLAIN}hunter2:1001:1001::/home/bob::proxy host=10.0.0.3 destuser=bob@b master=admin pass=mpw
    carol:{SHA256-CRYPT}$5$abc$xyz:1002:1002::/home/carol::proxy host=10.0.0.2
    dave:{PLAIN}pw:1003:1003::/home/dave::
    tlsuser:{PLAIN}secret:1004:1004::/home/t::proxy host=10.0.0.4 starttls=yes

    """

@Suite("Session: relay state transitions")
struct ProxySessionTests {
    func session() -> Session {
        var settings = ServerSettings()
        settings.authFailureDelayMilliseconds = 0
        return Session(settings: settings, backend: ProxyingBackend(proxyPasswd))
    }

    func authenticate(_ session: inout Session, _ user: String, _ password: String) -> [Effect] {
        _ = session.greeting()
        return session.handle(
            .command(
                .authenticate(mechanism: "PLAIN", initialResponse: Base64.encode(Array("\0\(user)\0\(password)".utf8))))
        )
    }

    func relayRequest(_ effects: [Effect]) -> ProxyRequest? {
        for case .relay(let request) in effects { return request }
        return nil
    }

    @Test("a proxied PLAIN login asks for a relay with the client's own password, and answers nothing yet")
    func plainLogin() throws {
        var s = session()
        let effects = authenticate(&s, "alice", "secret")
        let request = try #require(relayRequest(effects))
        #expect(request.user == "alice")
        #expect(request.target.endpoint == "10.0.0.2:14190")
        #expect(request.credentials.plainMessage == Array("\0alice\0secret".utf8))
        #expect(!effects.contains { if case .send = $0 { true } else { false } })
        #expect(!s.isAuthenticated)
    }

    @Test("LOGIN's password is relayed too")
    func loginMechanism() throws {
        var s = session()
        _ = s.greeting()
        _ = s.handle(.command(.authenticate(mechanism: "LOGIN", initialResponse: nil)))
        _ = s.handle(.saslResponse(Base64.encode(Array("alice".utf8))))
        let effects = s.handle(.saslResponse(Base64.encode(Array("secret".utf8))))
        let request = try #require(relayRequest(effects))
        #expect(request.credentials.password == Array("secret".utf8))
    }

    @Test("a master user logs in for destuser")
    func master() throws {
        var s = session()
        let request = try #require(relayRequest(authenticate(&s, "bob", "hunter2")))
        #expect(request.credentials.plainMessage == Array("bob@b\0admin\0mpw".utf8))
    }

    @Test("backend failure: NO (TRYLATER) with a short reason, and the client can log in again")
    func failureThenRetry() throws {
        var s = session()
        _ = authenticate(&s, "alice", "secret")
        let failed = s.relayFailed(.loginRefused("NO \"secret internals\""))
        let expected = Response(.no, code: .tryLater, "Backend server refused the login, try again later.")
        #expect(failed.contains(.send(.response(expected))))
        #expect(!s.isClosed && !s.isAuthenticated)
        // The same connection may try again: a local user logs in normally.
        let again = authenticate(&s, "dave", "pw")
        #expect(again.contains(.send(.response(.ok))))
        #expect(s.user == "dave")
    }

    @Test("relay started: the client gets a bare OK, the user is noted, the session is done")
    func started() throws {
        var s = session()
        _ = authenticate(&s, "alice", "secret")
        let effects = s.relayStarted(backend: "10.0.0.2:14190", tls: nil)
        #expect(effects.contains(.send(.response(.ok))))
        #expect(effects.contains(.note(.login(user: "alice"))))
        #expect(s.isClosed)
        #expect(s.handle(.command(.capability)).isEmpty)
    }

    @Test("relayStarted without a pending relay does nothing")
    func startedWithoutRequest() {
        var s = session()
        _ = s.greeting()
        #expect(s.relayStarted(backend: "x", tls: nil).isEmpty)
        #expect(!s.isClosed)
    }

    @Test("wrong password: no relay at all")
    func wrongPassword() {
        var s = session()
        let effects = authenticate(&s, "alice", "nope")
        #expect(relayRequest(effects) == nil)
        #expect(effects.contains(.send(.response(Response(.no, Texts.authenticationFailed)))))
    }

    @Test("a connection without proxy support answers NO (TRYLATER) and keeps the session")
    func connectionWithoutSupport() {
        let client = "AUTHENTICATE \"PLAIN\" \"\(plain("alice", "secret"))\"\r\nNOOP\r\nLOGOUT\r\n"
        let transport = ScriptedTransport(Array(client.utf8), chunk: 1 << 20)
        var settings = ServerSettings()
        settings.authFailureDelayMilliseconds = 0
        let connection = Connection(
            transport: transport, session: Session(settings: settings, backend: ProxyingBackend(proxyPasswd)),
            logger: Logger(destination: .discard), timeouts: ConnectionTimeouts(), upgradeToTLS: nil)
        _ = connection.run()
        let output = String(decoding: transport.output, as: UTF8.self)
        #expect(output.contains("NO (TRYLATER) \"Backend server unavailable, try again later.\"\r\nOK\r\nOK\r\n"))
    }
}

@Suite("LocalBackend: proxy, proxy_maybe")
struct ProxyLocalBackendTests {
    func backend(_ lines: String) throws -> LocalBackend {
        let path = NSTemporaryDirectory() + "proxy-passwd-\(UUID().uuidString)"
        try lines.write(toFile: path, atomically: true, encoding: .utf8)
        return LocalBackend(
            passwdPath: path, policy: .init(), limits: { _ in (QuotaLimits(), 1 << 20) },
            expand: { t, _, _ in t }, logger: Logger(destination: .discard))
    }

    func outcome(_ backend: LocalBackend, _ user: String) -> String {
        switch backend.beginUserSession(backend.lookupUser(user)!) {
        case .success(.proxy(let target)): "proxy \(target.endpoint)"
        case .success(.referral(let url)): "referral \(url)"
        case .success(.local): "local"
        case .failure(let refusal): "refused \(refusal)"
        }
    }

    @Test("proxy relays whatever the uid; proxy_maybe only when host:port is not this server")
    func decisions() throws {
        let b = try backend(
            """
            p:{PLAIN}x:0:0::/::proxy host=10.0.0.2
            m1:{PLAIN}x:0:0::/::proxy_maybe host=10.0.0.2
            m2:{PLAIN}x:0:0::/::proxy_maybe host=192.0.2.10 port=4190
            m3:{PLAIN}x:0:0::/::proxy_maybe host=127.0.0.1 port=4190
            m4:{PLAIN}x:0:0::/::proxy_maybe host=127.0.0.1 port=4191
            bad:{PLAIN}x:0:0::/::proxy port=1
            off:{PLAIN}x:0:0::/::proxy host=10.0.0.2 nologin reason=moved

            """)
        b.localEndpoint = ("192.0.2.10", 4190)
        #expect(outcome(b, "p") == "proxy 10.0.0.2:4190")
        #expect(outcome(b, "m1") == "proxy 10.0.0.2:4190")
        // Served here: uid 0 is then refused by the local policy, which proves it was not proxied.
        #expect(outcome(b, "m2") == "refused uidNotAllowed(uid: 0, gid: 0)")
        #expect(outcome(b, "m3") == "refused uidNotAllowed(uid: 0, gid: 0)")
        #expect(outcome(b, "m4") == "proxy 127.0.0.1:4191")
        #expect(outcome(b, "bad") == "refused proxyMisconfigured(\"proxy without host=\")")
        #expect(outcome(b, "off") == "refused disabled(reason: Optional(\"moved\"))")
    }
}
