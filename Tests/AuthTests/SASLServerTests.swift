import Auth
import Testing

private let alice = PasswdEntry(user: "alice", password: "{PLAIN}secret", uid: 1000, gid: 1000, home: "/home/alice")
private let blocked = PasswdEntry(user: "blocked", password: "{PLAIN}secret", uid: 1001, gid: 1001, flags: ["nologin"])
private let users = ["alice": alice, "blocked": blocked]

private func server(_ mechanism: String) -> SASLServer? { SASLServer(mechanism: mechanism, lookup: { users[$0] }) }
private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

@Suite("SASL PLAIN")
struct SASLPlainTests {
    @Test("mechanism names are case-insensitive; unknown ones are refused")
    func names() {
        #expect(server("plain")?.mechanism == "PLAIN")
        #expect(server("Login")?.mechanism == "LOGIN")
        #expect(server("SCRAM-SHA-1")?.mechanism == "SCRAM-SHA-1")
        #expect(server("SCRAM-SHA-512") == nil)
        #expect(server("") == nil)
        #expect(SASLServer.plaintextMechanisms == ["PLAIN", "LOGIN"])
    }

    @Test("an initial response logs in")
    func initialResponse() {
        var sasl = server("PLAIN")!
        #expect(sasl.start(initialResponse: bytes("\0alice\0secret")) == .success(alice, serverFinal: nil))
    }

    @Test(
        "no or an empty initial response gets an empty challenge, then the answer logs in",
        arguments: [nil, []] as [[UInt8]?])
    func continuation(initial: [UInt8]?) {
        var sasl = server("PLAIN")!
        #expect(sasl.start(initialResponse: initial) == .challenge([]))
        #expect(sasl.step(bytes("alice\0alice\0secret")) == .success(alice, serverFinal: nil))
        #expect(sasl.step(bytes("\0alice\0secret")) == .failure(.unsupportedMechanism))
    }

    @Test("wrong password and unknown user fail alike")
    func rejected() {
        var wrong = server("PLAIN")!
        #expect(wrong.start(initialResponse: bytes("\0alice\0Secret")) == .failure(.credentialsRejected(user: "alice")))
        var unknown = server("PLAIN")!
        #expect(
            unknown.start(initialResponse: bytes("\0mallory\0secret"))
                == .failure(.unknownUser("mallory")))
        var nologin = server("PLAIN")!
        #expect(
            nologin.start(initialResponse: bytes("\0blocked\0wrong"))
                == .failure(.credentialsRejected(user: "blocked")))
    }

    @Test("a nologin entry is returned to the caller, which applies account policy")
    func nologinIsCallersPolicy() {
        var sasl = server("PLAIN")!
        #expect(sasl.start(initialResponse: bytes("\0blocked\0secret")) == .success(blocked, serverFinal: nil))
    }

    @Test("a foreign authorization identity is refused even with the right password")
    func authzid() {
        var sasl = server("PLAIN")!
        #expect(sasl.start(initialResponse: bytes("root\0alice\0secret")) == .failure(.authorizationRefused("root")))
        var wrong = server("PLAIN")!
        #expect(
            wrong.start(initialResponse: bytes("root\0alice\0nope")) == .failure(.credentialsRejected(user: "alice")))
    }

    @Test(
        "NUL tricks and malformed messages are refused",
        arguments: [
            "\0alice\0secret\0", "\0alice\0secret\0junk", "alice\0secret", "\0\0alice\0secret", "\0alice\0\0secret",
            "alicesecret", "", "\0\0secret", "\0alice\0",
        ])
    func malformed(message: String) {
        var sasl = server("PLAIN")!
        let step = sasl.start(initialResponse: message.isEmpty ? [0] : bytes(message))
        guard case .failure(.malformed) = step else {
            Issue.record("expected malformed, got \(step)")
            return
        }
        #expect(sasl.step(bytes("\0alice\0secret")) == .failure(.unsupportedMechanism))
    }

    @Test("a non-UTF-8 identity is malformed")
    func notUTF8() {
        var sasl = server("PLAIN")!
        guard case .failure(.malformed) = sasl.start(initialResponse: [0, 0xFF, 0x61, 0, 0x61]) else {
            Issue.record("expected malformed")
            return
        }
    }
}

@Suite("SASL LOGIN")
struct SASLLoginTests {
    @Test("asks for the user name and the password")
    func exchange() {
        var sasl = server("LOGIN")!
        #expect(sasl.start(initialResponse: nil) == .challenge(bytes("Username:")))
        #expect(sasl.step(bytes("alice")) == .challenge(bytes("Password:")))
        #expect(sasl.step(bytes("secret")) == .success(alice, serverFinal: nil))
        #expect(sasl.step(bytes("secret")) == .failure(.unsupportedMechanism))
    }

    @Test("an initial response is the user name")
    func initialUser() {
        var sasl = server("LOGIN")!
        #expect(sasl.start(initialResponse: bytes("alice")) == .challenge(bytes("Password:")))
        #expect(sasl.step(bytes("wrong")) == .failure(.credentialsRejected(user: "alice")))
    }

    @Test("an unknown user fails like a wrong password on the wire, named as unknown for the log")
    func unknown() {
        var sasl = server("LOGIN")!
        #expect(sasl.start(initialResponse: []) == .challenge(bytes("Username:")))
        #expect(sasl.step(bytes("mallory")) == .challenge(bytes("Password:")))
        #expect(sasl.step(bytes("secret")) == .failure(.unknownUser("mallory")))
    }

    @Test("NUL in the user name or password is refused")
    func nul() {
        var user = server("LOGIN")!
        _ = user.start(initialResponse: nil)
        guard case .failure(.malformed) = user.step(bytes("alice\0root")) else {
            Issue.record("expected malformed")
            return
        }
        var password = server("LOGIN")!
        _ = password.start(initialResponse: bytes("alice"))
        #expect(password.step(bytes("secret\0junk")) == .failure(.credentialsRejected(user: "alice")))
        var empty = server("LOGIN")!
        _ = empty.start(initialResponse: nil)
        guard case .failure(.malformed) = empty.step([]) else {
            Issue.record("expected malformed")
            return
        }
    }

    @Test("start twice is refused")
    func startTwice() {
        var sasl = server("LOGIN")!
        _ = sasl.start(initialResponse: nil)
        guard case .failure(.malformed) = sasl.start(initialResponse: nil) else {
            Issue.record("expected malformed")
            return
        }
    }
}
