import Auth
import Testing

private let alice = PasswdEntry(user: "alice", password: "{PLAIN}secret", uid: 1000, gid: 1000, home: "/home/alice")

@Suite("SASL with a checkpassword program")
struct ExternalPasswordCheckTests {
    final class Calls {
        var users: [String] = []
    }

    static func server(_ mechanism: String, all: Bool, calls: Calls, verdict: ExternalPasswordVerdict) -> SASLServer {
        let check = ExternalPasswordCheck(forAllUsers: all) { user, _, _ in
            calls.users.append(user)
            return verdict
        }
        return SASLServer(
            mechanism: mechanism, context: SASLContext(), lookup: { $0 == "alice" ? alice : nil },
            passwordCheck: check)!
    }

    static func plain(_ user: String, _ password: String) -> [UInt8] { Array("\0\(user)\0\(password)".utf8) }

    @Test("unknown users go to the program, passwd-file users only with forAllUsers")
    func whoGoes() {
        let dave = PasswdEntry(user: "dave", password: "*", uid: 1500, gid: 1500)
        let calls = Calls()
        var sasl = Self.server("PLAIN", all: false, calls: calls, verdict: .accepted(dave))
        #expect(sasl.start(initialResponse: Self.plain("dave", "x")) == .success(dave, serverFinal: nil))
        sasl = Self.server("PLAIN", all: false, calls: calls, verdict: .accepted(dave))
        #expect(sasl.start(initialResponse: Self.plain("alice", "secret")) == .success(alice, serverFinal: nil))
        #expect(calls.users == ["dave"])
        sasl = Self.server("PLAIN", all: true, calls: calls, verdict: .rejected)
        #expect(
            sasl.start(initialResponse: Self.plain("alice", "secret")) == .failure(.credentialsRejected(user: "alice")))
        #expect(calls.users == ["dave", "alice"])
    }

    @Test("LOGIN reaches it too; a temporary failure is its own failure")
    func login() {
        let calls = Calls()
        var sasl = Self.server("LOGIN", all: false, calls: calls, verdict: .temporaryFailure("ldap down"))
        _ = sasl.start(initialResponse: nil)
        _ = sasl.step(Array("erin".utf8))
        #expect(sasl.step(Array("pw".utf8)) == .failure(.temporaryFailure(user: "erin", "ldap down")))
        #expect(calls.users == ["erin"])
    }

    @Test("SCRAM is not offered when every login must pass the program")
    func availability() throws {
        let passwd = PasswdFile(parsing: Array("alice:{PLAIN}secret:1000:1000::/home/alice::\n".utf8))
        #expect(SASLServer.availableMechanisms(for: passwd, context: SASLContext()).contains("SCRAM-SHA-256"))
        #expect(
            SASLServer.availableMechanisms(for: passwd, context: SASLContext(), checkpasswordForAll: true)
                == ["PLAIN", "LOGIN"])
    }
}
