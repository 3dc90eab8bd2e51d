import ManageSieveProtocol
import Posix
import Testing

@testable import ManageSieveServer

@Suite("Connection")
struct ConnectionTests {
    /// The bytes `Session.greeting()` describes, encoded as `perform` would.
    static func greetingBytes(_ settings: ServerSettings) -> String {
        var session = Session(settings: settings, backend: MemoryBackend())
        var bytes: [UInt8] = []
        for effect in session.greeting() {
            guard case .send(let output) = effect else {
                Issue.record("the greeting has an effect other than send: \(effect)")
                continue
            }
            ResponseEncoder.encode(output, into: &bytes)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test(
        "the greeting written at start-up is exactly the one Session.greeting() describes",
        arguments: [(false, false, false), (true, false, false), (true, true, false), (false, false, true)])
    func greetingMatchesSession(tlsAvailable: Bool, tlsRequired: Bool, disablePlaintext: Bool) {
        var settings = testSettings()
        settings.tlsAvailable = tlsAvailable
        settings.tlsRequired = tlsRequired
        settings.disablePlaintextAuth = disablePlaintext
        settings.implementationString = "test \"server\""
        let (output, _) = runSession("", settings: settings)
        #expect(output == Self.greetingBytes(settings))
        #expect(output.hasSuffix("\r\nOK\r\n"))
    }

    @Test("afterGreeting runs once, after the greeting was written and before the first command is read")
    func afterGreeting() {
        let transport = ScriptedTransport(Array("LOGOUT\r\n".utf8), chunk: 1 << 20)
        let connection = Connection(
            transport: transport, session: Session(settings: testSettings(), backend: MemoryBackend()),
            logger: Logger(destination: .discard), timeouts: ConnectionTimeouts(), upgradeToTLS: nil)
        var calls = 0
        var writtenBefore = ""
        var inputLeft = -1
        let reason = connection.run(afterGreeting: {
            calls += 1
            writtenBefore = String(decoding: transport.output, as: UTF8.self)
            inputLeft = transport.input.count
        })
        #expect(calls == 1)
        #expect(writtenBefore == Self.greetingBytes(testSettings()))
        #expect(inputLeft == 8)
        #expect(reason == "logout")
    }
}
