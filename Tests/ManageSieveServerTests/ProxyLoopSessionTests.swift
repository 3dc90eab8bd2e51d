import Auth
import ManageSieveProtocol
import Posix
import Testing

@testable import ManageSieveServer

/// Proxy loops: the hop count (TTL) a trusted proxy in front sends with XCLIENT, and what the session does with it.
@Suite("Session: proxy hop count (XCLIENT TTL)")
struct ProxyLoopSessionTests {
    func session(trusted: Bool) -> Session {
        var settings = ServerSettings()
        settings.authFailureDelayMilliseconds = 0
        settings.xclientTrusted = trusted
        var s = Session(settings: settings, backend: ProxyingBackend(proxyPasswd))
        _ = s.greeting()
        return s
    }

    func xclient(_ s: inout Session, _ fields: String...) -> [Effect] {
        s.handle(.command(.xclient(fields: fields.map { Array($0.utf8) })))
    }

    func login(_ s: inout Session) -> [Effect] {
        s.handle(
            .command(.authenticate(mechanism: "PLAIN", initialResponse: Base64.encode(Array("\0alice\0secret".utf8)))))
    }

    func relayRequest(_ effects: [Effect]) -> ProxyRequest? {
        for case .relay(let request) in effects { return request }
        return nil
    }

    @Test("a login that arrives with one hop left is not relayed again: NO (TRYLATER) and a logged reason")
    func loopEnds() {
        var s = session(trusted: true)
        #expect(xclient(&s, "ADDR=192.0.2.7", "PORT=51000", "TTL=1").last == .send(.response(.ok)))
        let effects = login(&s)
        #expect(relayRequest(effects) == nil)
        #expect(
            effects.contains(.send(.response(Response(.no, code: .tryLater, "Proxy loop detected, try again later.")))))
        #expect(
            effects.contains {
                if case .log(.warning, let text) = $0 {
                    text.contains("proxy loop") && text.contains("user=alice")
                } else {
                    false
                }
            })
        #expect(!s.isAuthenticated && !s.isClosed)
    }

    @Test("the relay carries one hop less than the session got: 5 at the first proxy, what XCLIENT said after")
    func ttlDecreases() throws {
        var first = session(trusted: false)
        #expect(try #require(relayRequest(login(&first))).ttl == 4)
        var second = session(trusted: true)
        _ = xclient(&second, "TTL=3", "SESSION=x")
        #expect(try #require(relayRequest(login(&second))).ttl == 2)
    }

    @Test("XCLIENT names the real client for the log")
    func peer() {
        var s = session(trusted: true)
        #expect(xclient(&s, "ADDR=2001:db8::7", "PORT=4000").contains(.setPeer("[2001:db8::7]:4000")))
    }

    @Test("XCLIENT is offered and accepted only from trusted networks, and only before login")
    func trust() {
        var untrusted = session(trusted: false)
        #expect(!untrusted.greetingCapabilities().contains { $0.name == "XCLIENT" })
        let refused = xclient(&untrusted, "TTL=50")
        #expect(refused.contains(.send(.response(Response(.no, "XCLIENT is accepted only from trusted networks.")))))
        // An untrusted client cannot raise (or set) its hop count.
        #expect(relayRequest(login(&untrusted))?.ttl == 4)
        var trusted = session(trusted: true)
        #expect(trusted.greetingCapabilities().contains { $0.name == "XCLIENT" })
        #expect(xclient(&trusted, "TTL=x").contains(.send(.response(Response(.no, "XCLIENT: invalid TTL value.")))))
        #expect(
            xclient(&trusted, "ADDR=not-an-address").contains {
                if case .send(.response(let r)) = $0 { r.status == .no } else { false }
            })
        // A trusted proxy cannot raise the hop count above the server's own either.
        _ = xclient(&trusted, "TTL=200")
        #expect(relayRequest(login(&trusted))?.ttl == 4)
    }
}
