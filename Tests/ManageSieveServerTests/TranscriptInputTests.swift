import Auth
import ManageSieveProtocol
import ManageSieveServer
import Posix
import Testing

/// A transport that asks for the parser's input records, as a transcript does.
private final class RecordingTransport: Transport {
    var input: [UInt8]
    var output: [UInt8] = []
    var records: [ClientInput] = []

    init(_ text: String) { input = Array(text.utf8) }
    func read(into buffer: inout [UInt8], maxCount: Int, timeoutMilliseconds: Int?) throws(SystemError) -> ReadResult {
        if input.isEmpty { return .eof }
        let count = min(maxCount, input.count)
        buffer.append(contentsOf: input[..<count])
        input.removeFirst(count)
        return .data(count)
    }
    func write(_ bytes: [UInt8]) throws(SystemError) { output += bytes }
    var clientInputLiteralCap: Int? { 1000 }
    func note(_ event: TransportEvent) {
        if case .clientInput(let input) = event { records.append(input) }
    }

    /// Everything the transcript would show of the client's bytes.
    var shown: String {
        String(decoding: records.flatMap { $0.shown + $0.shownAfter }, as: UTF8.self)
    }
}

private func run(_ client: String) -> RecordingTransport {
    let transport = RecordingTransport(client)
    let connection = Connection(
        transport: transport, session: Session(settings: testSettings(), backend: MemoryBackend()),
        logger: Logger(destination: .discard), timeouts: ConnectionTimeouts(), upgradeToTLS: nil)
    _ = connection.run()
    return transport
}

@Suite("Transcript input from the session's parser")
struct TranscriptInputTests {
    @Test(
        "an empty initial response and the credentials on the next line, in one read: withheld, as the session reads them",
        arguments: ["\"\"", "{0+}\r\n"])
    func emptyInitialResponse(empty: String) {
        let secret = plain("alice", "secret")
        let transport = run("AUTHENTICATE \"PLAIN\" \(empty)\r\n\"\(secret)\"\r\nLOGOUT\r\n")
        #expect(String(decoding: transport.output, as: UTF8.self).contains("\r\nOK\r\nOK\r\n"))
        #expect(!transport.shown.contains(secret))
        #expect(transport.records.contains { $0.withheld == secret.utf8.count + 2 })
        #expect(transport.shown.contains("LOGOUT"))
    }

    @Test("every octet of every SASL message is withheld; the commands around it are shown")
    func everyMessage() {
        let user = String(decoding: Base64.encode(Array("alice".utf8)), as: UTF8.self)
        let password = String(decoding: Base64.encode(Array("secret".utf8)), as: UTF8.self)
        let transport = run(
            "NOOP\r\nAUTHENTICATE \"LOGIN\"\r\n{\(user.utf8.count)+}\r\n\(user)\r\n\"\(password)\"\r\nLISTSCRIPTS\r\nLOGOUT\r\n"
        )
        #expect(!transport.shown.contains(user))
        #expect(!transport.shown.contains(password))
        #expect(transport.shown.contains("NOOP\r\nAUTHENTICATE \"LOGIN\"\r\n{8+}\r\n"))
        #expect(transport.shown.hasSuffix("LISTSCRIPTS\r\nLOGOUT\r\n"))
        #expect(transport.records.contains { $0.literalLength == 8 && $0.withheld == 8 && $0.shown.isEmpty })
    }

    @Test("what STARTTLS discards is never recorded, and a session cut mid-response keeps it withheld")
    func cutMidResponse() {
        let transport = run("AUTHENTICATE \"PLAIN\"\r\n\"AGFsaWNl")
        let last = transport.records.last
        #expect(last?.incomplete == true)
        #expect(last?.withheld == 9)
        #expect(!transport.shown.contains("AGFs"))
    }
}
