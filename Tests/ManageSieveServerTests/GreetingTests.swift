import Auth
import ManageSieveProtocol
import Posix
import SieveCompiler
import Testing

@testable import ManageSieveServer

/// A backend whose mechanisms come from a passwd-file through the same function the server's backend uses.
private final class PasswdBackend: SessionBackend {
    let passwd: PasswdFile
    init(_ text: String) { passwd = PasswdFile(parsing: Array(text.utf8)) }
    func lookupUser(_ name: String) -> PasswdEntry? { passwd.entry(for: name) }
    func beginUserSession(_ entry: PasswdEntry) -> Result<LoginOutcome, LoginRefusal> {
        .failure(.disabled(reason: nil))
    }
    func availableMechanisms(context: SASLContext) -> [String] {
        SASLServer.availableMechanisms(for: passwd.greetingFacts, context: context)
    }
}

/// One configuration shape: what the greeting depends on.
struct GreetingShape: CustomTestStringConvertible, Sendable {
    var name: String
    var implementation = "managesieved"
    var extensions: String?
    var maxRedirects = 4
    var tlsAvailable = false
    var tlsRequired = false
    var disablePlaintext = false
    /// The peer is in login_trusted_networks (XCLIENT offered).
    var xclient = false
    /// TLS runs from the first byte (implicit TLS), with channel bindings and perhaps a client certificate.
    var implicitTLS = false
    var certificateUser: String?
    var passwd = "alice:{SHA512-CRYPT}$6$x$y:1000:1000::/home/alice::\n"

    var testDescription: String { name }
}

private let crypt = "alice:{SHA512-CRYPT}$6$x$y:1000:1000::/home/alice::\n"
private let cleartext = "alice:{PLAIN}secret:1000:1000::/home/alice::\n"
private let scram1 =
    "bob:{SCRAM-SHA-1}4096,c2FsdA==,AAAAAAAAAAAAAAAAAAAAAAAAAAA=,AAAAAAAAAAAAAAAAAAAAAAAAAAA=:1001:1001::/h::\n"

@Suite("Greeting")
struct GreetingTests {
    static let shapes: [GreetingShape] = [
        GreetingShape(name: "defaults"),
        GreetingShape(name: "implementation string with quotes and a backslash", implementation: "My \"Sieve\" \\ 2"),
        GreetingShape(name: "implementation string in UTF-8", implementation: "Sieve für alle"),
        GreetingShape(
            name: "implementation string too long to quote", implementation: String(repeating: "x", count: 1025)),
        GreetingShape(name: "implementation string with a line break", implementation: "two\r\nlines"),
        GreetingShape(name: "no redirects", maxRedirects: 0),
        GreetingShape(name: "many redirects", maxRedirects: 123_456_789),
        GreetingShape(name: "sieve_extensions without enotify", extensions: "fileinto vacation"),
        GreetingShape(name: "sieve_extensions with enotify", extensions: "+vacation-seconds -enotify +enotify"),
        GreetingShape(name: "sieve_extensions removing from the default", extensions: "-regex -enotify"),
        GreetingShape(name: "ssl = yes", tlsAvailable: true),
        GreetingShape(name: "ssl = yes, plaintext auth disabled", tlsAvailable: true, disablePlaintext: true),
        GreetingShape(name: "ssl = required", tlsAvailable: true, tlsRequired: true),
        GreetingShape(name: "a trusted proxy in front (XCLIENT)", tlsAvailable: true, xclient: true),
        GreetingShape(name: "plaintext auth disabled without TLS", disablePlaintext: true),
        GreetingShape(name: "cleartext entries offer SCRAM", passwd: cleartext),
        GreetingShape(name: "SCRAM-SHA-1 entries", passwd: crypt + scram1),
        GreetingShape(name: "SCRAM entries with ssl = yes", tlsAvailable: true, passwd: cleartext),
        GreetingShape(
            name: "implicit TLS with channel bindings", tlsAvailable: true, disablePlaintext: true, implicitTLS: true,
            passwd: cleartext),
        GreetingShape(
            name: "implicit TLS with a client certificate", tlsAvailable: true, tlsRequired: true, implicitTLS: true,
            certificateUser: "alice"),
        GreetingShape(name: "empty passwd-file", passwd: ""),
    ]

    static func session(_ shape: GreetingShape) throws -> Session {
        var settings = testSettings()
        settings.implementationString = shape.implementation
        if let spec = shape.extensions { settings.compileOptions.extensions = try ExtensionSet(parsing: spec) }
        settings.compileOptions.maxRedirects = shape.maxRedirects
        settings.tlsAvailable = shape.tlsAvailable
        settings.tlsRequired = shape.tlsRequired
        settings.disablePlaintextAuth = shape.disablePlaintext
        settings.xclientTrusted = shape.xclient
        var session = Session(settings: settings, backend: PasswdBackend(shape.passwd))
        if shape.implicitTLS {
            session.startedWithTLS(
                TLSInfo(
                    description: "TLSv1.3", channelBindings: ["tls-exporter": [1, 2, 3]],
                    certificateUser: shape.certificateUser))
        }
        return session
    }

    @Test("the greeting's bytes are the session's own capability block and OK", arguments: shapes)
    func greetingIsTheSessions(shape: GreetingShape) throws {
        var session = try Self.session(shape)
        var expected: [UInt8] = []
        for effect in session.greeting() {
            guard case .send(let output) = effect else {
                Issue.record("the greeting has an effect other than send: \(effect)")
                continue
            }
            ResponseEncoder.encode(output, into: &expected)
        }
        let bytes = Greeting.bytes(session.greetingFacts())
        #expect(String(decoding: bytes, as: UTF8.self) == String(decoding: expected, as: UTF8.self))
        #expect(bytes.starts(with: Array("\"IMPLEMENTATION\" ".utf8)))
        #expect(bytes.suffix(6).elementsEqual(Array("\r\nOK\r\n".utf8)))
    }

    @Test("the shapes cover every capability the greeting can carry or leave out")
    func coverage() throws {
        var seen: Set<String> = []
        for shape in Self.shapes {
            let text = String(decoding: Greeting.bytes(try Self.session(shape).greetingFacts()), as: UTF8.self)
            if text.contains("\"STARTTLS\"") { seen.insert("STARTTLS") } else { seen.insert("no STARTTLS") }
            if text.contains("\"NOTIFY\"") { seen.insert("NOTIFY") } else { seen.insert("no NOTIFY") }
            if text.contains("SCRAM-SHA-256-PLUS") { seen.insert("PLUS") }
            if text.contains("EXTERNAL") { seen.insert("EXTERNAL") }
            if text.contains("\"SASL\" \"\"") { seen.insert("empty SASL") }
            if text.contains("{1025}") { seen.insert("literal") }
        }
        #expect(
            seen == [
                "STARTTLS", "no STARTTLS", "NOTIFY", "no NOTIFY", "PLUS", "EXTERNAL", "empty SASL", "literal",
            ])
    }

    @Test("the passwd-file's greeting facts: none for crypt hashes (no marker, nothing to parse), both hashes else")
    func passwdGreetingFacts() {
        let plain = PasswdFile(parsing: Array(String(repeating: crypt, count: 100).utf8))
        #expect(!plain.mayServeSCRAM)
        #expect(plain.greetingFacts == PasswdGreetingFacts())
        let mixed = PasswdFile(parsing: Array((crypt + cleartext + scram1).utf8))
        #expect(mixed.mayServeSCRAM)
        #expect(mixed.greetingFacts == PasswdGreetingFacts(scramSHA1: true, scramSHA256: true))
        let sha1 = PasswdFile(parsing: Array((crypt + scram1).utf8)).greetingFacts
        #expect(sha1 == PasswdGreetingFacts(scramSHA1: true, scramSHA256: false))
    }
}
