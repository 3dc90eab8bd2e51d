import Auth
import Foundation
import ManageSieveProtocol
import ManageSieveServer
import Posix
import SieveStorage
import Testing

/// A complete session used by several tests: every command, with literals and SASL continuations.
let fullSession = """
    CAPABILITY\r
    AUTHENTICATE "PLAIN"\r
    {20+}\r
    \(plain("alice", "secret"))\r
    PUTSCRIPT "rules" {28+}\r
    require "fileinto";\r
    keep;\r
    \r
    HAVESPACE "rules" 1000\r
    LISTSCRIPTS\r
    SETACTIVE "rules"\r
    GETSCRIPT "rules"\r
    CHECKSCRIPT "stop;"\r
    RENAMESCRIPT "rules" "main"\r
    LISTSCRIPTS\r
    NOOP "tag1"\r
    DELETESCRIPT "main"\r
    SETACTIVE ""\r
    DELETESCRIPT "main"\r
    LOGOUT\r

    """

@Suite("Session")
struct SessionTests {
    @Test("greets with the capability block, then OK")
    func greeting() {
        let (out, _) = runSession("LOGOUT\r\n")
        let lines = out.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first == "\"IMPLEMENTATION\" \"managesieved\"")
        #expect(lines.contains { $0.hasPrefix("\"SIEVE\" \"fileinto") })
        #expect(lines.contains("\"SASL\" \"PLAIN LOGIN\""))
        #expect(lines.contains("\"VERSION\" \"1.0\""))
        #expect(!lines.contains("\"STARTTLS\""))
        #expect(lines.contains { $0.hasPrefix("OK") })
        #expect(lines.suffix(2) == ["OK", ""])
    }

    @Test(
        "a whole session gives the same answers whether bytes come whole or one at a time", arguments: [1, 2, 3, 7, 64])
    func byteByByte(chunk: Int) {
        let whole = runSession(fullSession).output
        let split = runSession(fullSession, chunk: chunk).output
        #expect(split == whole)
        #expect(whole.contains("\r\n\"main\" ACTIVE\r\n"))
        #expect(whole.contains("NO (ACTIVE)"))
        #expect(whole.contains("\r\nOK (TAG \"tag1\")\r\n"))
    }

    @Test("after AUTHENTICATE the answer is a bare OK, and CAPABILITY then lists OWNER")
    func loginAndOwner() {
        let (out, transport) = runSession(
            "AUTHENTICATE \"PLAIN\" \"\(plain("alice", "secret"))\"\r\nCAPABILITY\r\nLOGOUT\r\n")
        #expect(out.contains("\r\nOK\r\n\"IMPLEMENTATION\""))
        #expect(out.contains("\"OWNER\" \"alice\"\r\n"))
        #expect(!out.contains("\"OWNER\" \"alice\"\r\n\"SASL\""))
        #expect(transport.events.contains(.login(user: "alice")))
    }

    @Test("three failed logins end the session with BYE; unknown users fail the same way")
    func failedLogins() {
        let client = """
            AUTHENTICATE "PLAIN" "\(plain("alice", "bad"))"\r
            AUTHENTICATE "PLAIN" "\(plain("nobody", "secret"))"\r
            AUTHENTICATE "PLAIN" "\(plain("alice", "bad"))"\r
            LISTSCRIPTS\r

            """
        let (out, _) = runSession(client)
        let noLines = out.components("NO \"Authentication failed.\"\r\n")
        #expect(noLines == 3)
        #expect(out.hasSuffix("BYE \"Too many failed authentication attempts.\"\r\n"))
    }

    @Test("an authorization identity other than the user is refused")
    func authzid() {
        let response = String(decoding: Base64.encode(Array("bob\0alice\0secret".utf8)), as: UTF8.self)
        let backend = MemoryBackend()
        let (out, _) = runSession("AUTHENTICATE \"PLAIN\" \"\(response)\"\r\nLOGOUT\r\n", backend: backend)
        #expect(out.contains("NO \"Authentication failed.\""))
        #expect(backend.logins.isEmpty)
    }

    @Test("plaintext login is refused with ENCRYPT-NEEDED when disabled and TLS is not active")
    func encryptNeeded() {
        var settings = testSettings()
        settings.disablePlaintextAuth = true
        settings.tlsAvailable = true
        let (out, _) = runSession(
            "AUTHENTICATE \"PLAIN\" \"\(plain("alice", "secret"))\"\r\nLOGOUT\r\n", settings: settings)
        #expect(out.contains("\"SASL\" \"\"\r\n"))
        #expect(out.contains("\"STARTTLS\"\r\n"))
        #expect(out.contains("NO (ENCRYPT-NEEDED)"))
    }

    @Test("with ssl = required nothing but CAPABILITY, STARTTLS, NOOP and LOGOUT is served before TLS")
    func tlsRequired() {
        var settings = testSettings()
        settings.tlsRequired = true
        settings.tlsAvailable = true
        let (out, _) = runSession(
            "NOOP\r\nLISTSCRIPTS\r\nAUTHENTICATE \"PLAIN\" \"\(plain("alice", "secret"))\"\r\nLOGOUT\r\n",
            settings: settings)
        #expect(out.components("NO (ENCRYPT-NEEDED)") == 2)
    }

    @Test("a PUTSCRIPT literal over the size limit is refused with QUOTA/MAXSIZE and the session goes on")
    func literalTooLarge() {
        let settings = testSettings()
        let backend = MemoryBackend()
        backend.maxScriptSize = 10
        let client =
            "AUTHENTICATE \"PLAIN\" \"\(plain("alice", "secret"))\"\r\nPUTSCRIPT \"a\" {20+}\r\n01234567890123456789\r\nNOOP \"x\"\r\nLOGOUT\r\n"
        let (out, _) = runSession(client, settings: settings, backend: backend)
        #expect(out.contains("NO (QUOTA/MAXSIZE)"))
        #expect(out.contains("OK (TAG \"x\")"))
        #expect(backend.store.scripts.isEmpty)
    }

    @Test("UNAUTHENTICATE allows logging in again only as the same user")
    func unauthenticate() {
        let client = """
            AUTHENTICATE "PLAIN" "\(plain("alice", "secret"))"\r
            UNAUTHENTICATE\r
            AUTHENTICATE "PLAIN" "\(plain("bob", "hunter2"))"\r
            AUTHENTICATE "PLAIN" "\(plain("alice", "secret"))"\r
            LOGOUT\r

            """
        let backend = MemoryBackend()
        let (out, _) = runSession(client, backend: backend)
        #expect(backend.logins == ["alice", "alice"])
        #expect(out.components("NO \"Authentication failed.\"") == 1)
    }

    @Test(
        "a storage failure maps to one response code each",
        arguments: [
            (StorageErrorCase.notFound, "NO (NONEXISTENT)"), (.exists, "NO (ALREADYEXISTS)"), (.active, "NO (ACTIVE)"),
            (.size, "NO (QUOTA/MAXSIZE)"), (.scripts, "NO (QUOTA/MAXSCRIPTS)"), (.storage, "NO (QUOTA/MAXSTORAGE)"),
            (.busy, "NO (TRYLATER)"), (.full, "NO (QUOTA)"), (.io, "NO (TRYLATER)"),
        ])
    func storageErrors(error: StorageErrorCase, expected: String) {
        let effects = Session.effectsForTesting(error.value)
        guard case .send(.response(let response)) = effects.last else {
            Issue.record("no response")
            return
        }
        let text = String(decoding: ResponseEncoder.encode(.response(response)), as: UTF8.self)
        #expect(text.hasPrefix(expected + " "))
    }

    @Test("a system error is logged as 'operation path: errno text'; a full disk or quota (EDQUOT) answers QUOTA")
    func storageErrorLogs() {
        func logged(_ error: SystemError) -> [String] {
            Session.effectsForTesting(.io(error)).compactMap { effect in
                if case .log(_, let text) = effect { return text }
                return nil
            }
        }
        #expect(
            logged(SystemError(operation: "write", path: "/x", errno: 28)) == [
                "storage full: write /x: \(ErrnoText.describe(28))"
            ])
        #expect(
            logged(SystemError(operation: "write", path: "/x", errno: 122)) == [
                "storage full: write /x: \(ErrnoText.describe(122))"
            ])
        #expect(
            logged(SystemError(operation: "open", path: "/x", errno: 5)) == [
                "storage error: open /x: \(ErrnoText.describe(5))"
            ])
    }
}

enum StorageErrorCase: Sendable, CustomStringConvertible {
    case notFound, exists, active, size, scripts, storage, busy, full, io
    var value: StorageError {
        switch self {
        case .notFound: .notFound("x")
        case .exists: .alreadyExists("x")
        case .active: .isActive("x")
        case .size: .quotaExceeded(.maxSize, limit: 1)
        case .scripts: .quotaExceeded(.maxScripts, limit: 1)
        case .storage: .quotaExceeded(.maxStorage, limit: 1)
        case .busy: .tryLater
        case .full: .io(SystemError(operation: "write", path: "/x", errno: 28))
        case .io: .io(SystemError(operation: "open", path: "/x", errno: 5))
        }
    }
    var description: String { "\(value)" }
}

extension String {
    func components(_ needle: String) -> Int {
        var count = 0
        var rest = self[...]
        while let r = rest.range(of: needle) {
            count += 1
            rest = rest[r.upperBound...]
        }
        return count
    }
}
