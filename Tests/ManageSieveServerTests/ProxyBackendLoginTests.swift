import Auth
import Foundation
import Posix
import Testing

@testable import ManageSieveServer

/// A backend that answers from a script: each `read` hands out the next chunk (then EOF, or a timeout).
final class FakeBackend: PollableTransport {
    var chunks: [[UInt8]]
    var written: [UInt8] = []
    let endWithTimeout: Bool
    init(_ chunks: [String], endWithTimeout: Bool = false) {
        self.chunks = chunks.map { Array($0.utf8) }
        self.endWithTimeout = endWithTimeout
    }
    var readableDescriptor: Int32 { -1 }
    var hasBufferedInput: Bool { false }
    func read(into buffer: inout [UInt8], maxCount: Int, timeoutMilliseconds: Int?) throws(SystemError) -> ReadResult {
        guard !chunks.isEmpty else { return endWithTimeout ? .timeout : .eof }
        let chunk = chunks.removeFirst()
        buffer += chunk
        return .data(chunk.count)
    }
    func write(_ bytes: [UInt8]) throws(SystemError) { written += bytes }
    var writtenText: String { String(decoding: written, as: UTF8.self) }
}

@Suite("ProxyBackendLogin against scripted backends")
struct ProxyBackendLoginTests {
    let greeting =
        "\"IMPLEMENTATION\" \"x\"\r\n\"SASL\" \"PLAIN LOGIN\"\r\n\"STARTTLS\"\r\n\"VERSION\" \"1.0\"\r\nOK\r\n"
    let credentials = ProxyCredentials(
        authorizationIdentity: "", authenticationIdentity: "alice", password: Array("pw".utf8))

    func login(
        _ backend: FakeBackend, security: ProxyTarget.Security = .none,
        startTLS: (() throws(ProxyFailure) -> any PollableTransport)? = nil
    ) throws(ProxyFailure) -> [UInt8] {
        var target = ProxyTarget(host: "10.0.0.2", user: "alice")
        target.security = security
        return try ProxyBackendLogin.login(
            over: backend, target: target, credentials: credentials, deadline: .after(milliseconds: 1000),
            startTLS: startTLS
        ).leftover
    }

    @Test("greeting, then AUTHENTICATE PLAIN with an initial response; bytes after the OK are kept for the client")
    func success() throws {
        // Delivered in awkward pieces: the reader must reassemble lines.
        let backend = FakeBackend(["\"IMPLEMENTATION\" \"x\"\r", "\n\"SASL\" \"PLAIN\"\r\nO", "K\r\n", "OK\r\nextra"])
        let leftover = try login(backend)
        #expect(backend.writtenText == "AUTHENTICATE \"PLAIN\" \"\(plain("alice", "pw"))\"\r\n")
        #expect(leftover == Array("extra".utf8))
    }

    @Test("STARTTLS when asked: the capabilities are read again over the new transport")
    func startTLS() throws {
        let plainSide = FakeBackend([greeting, "OK \"Begin TLS negotiation now.\"\r\n"])
        let tlsSide = FakeBackend(["\"SASL\" \"PLAIN\"\r\nOK\r\n", "OK (SASL \"\")\r\n"])
        _ = try login(plainSide, security: .startTLS(verifyCertificate: true)) { () throws(ProxyFailure) in tlsSide }
        #expect(plainSide.writtenText == "STARTTLS\r\n")
        #expect(tlsSide.writtenText.hasPrefix("AUTHENTICATE \"PLAIN\""))
    }

    @Test(
        "failures are typed and bounded",
        arguments: [
            (
                ["HTTP/1.1 400 Bad Request\r\n"],
                ProxyFailure.badResponse("not a ManageSieve response: HTTP/1.1 400 Bad Request")
            ),
            (["\"SASL\" \"PLAIN\"\r\nBYE \"going down\"\r\n"], .badResponse("greeting ends with BYE \"going down\"")),
            (["\"SASL\" \"PLAIN\"\r\nOK\r\n", "NO \"internal detail\"\r\n"], .loginRefused("NO \"internal detail\"")),
            (
                ["\"SASL\" \"PLAIN\"\r\nOK\r\n", "NO {15}\r\ninternal detail\r\n"],
                .loginRefused("NO {15}??internal detail")
            ),
            (["\"SASL\" \"SCRAM-SHA-256\"\r\nOK\r\n"], .badResponse("backend offers no SASL PLAIN (SCRAM-SHA-256)")),
            (["\"SASL\" \"PLAIN\"\r\n"], .closed(step: "waiting for the greeting")),
        ])
    func failures(script: [String], expected: ProxyFailure) {
        #expect(throws: expected) { try login(FakeBackend(script)) }
    }

    @Test("a silent backend is a timeout, not a hang")
    func timeout() {
        #expect(throws: ProxyFailure.timeout(step: "waiting for the greeting")) {
            try login(FakeBackend([], endWithTimeout: true))
        }
    }

    @Test("STARTTLS asked but not offered, or refused")
    func startTLSProblems() {
        #expect(throws: ProxyFailure.startTLSUnavailable) {
            try login(FakeBackend(["\"SASL\" \"PLAIN\"\r\nOK\r\n"]), security: .startTLS(verifyCertificate: true))
        }
        #expect(throws: ProxyFailure.badResponse("STARTTLS answered NO")) {
            try login(FakeBackend([greeting, "NO\r\n"]), security: .startTLS(verifyCertificate: true))
        }
    }

    @Test("an endless line is refused at the cap")
    func endlessLine() {
        let chunk = String(repeating: "\"", count: 16384)
        #expect(throws: ProxyFailure.badResponse("line longer than 65536 octets")) {
            try login(FakeBackend(Array(repeating: chunk, count: 8)))
        }
    }
}
