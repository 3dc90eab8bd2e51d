import Foundation
import Posix
import Testing

@testable import Transcript

/// A private temporary directory with a log file, removed at the end.
final class Scratch {
    let path: String
    let logPath: String
    let logger: Logger

    init() {
        let base = NSTemporaryDirectory() + "transcript-tests-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        path = base + "/dir"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        logPath = base + "/log"
        logger = Logger(destination: .file(path: logPath), ident: "test")
    }

    deinit { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }

    var files: [String] { (try? FileManager.default.contentsOfDirectory(atPath: path).sorted()) ?? [] }

    func contents(_ name: String) -> String {
        (try? String(contentsOfFile: path + "/" + name, encoding: .utf8)) ?? "<missing>"
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// The records of a file without their time stamps.
    func records(_ name: String) -> [String] {
        contents(name).split(separator: "\n").map { String($0.dropFirst(13)) }
    }
}

/// An in-memory transport: hands out scripted client input, collects what the server writes.
final class FakeTransport: Transport {
    var input: [[UInt8]]
    var written: [UInt8] = []
    var failWrites = false
    var notes: [TransportEvent] = []

    init(_ input: [String]) { self.input = input.map { Array($0.utf8) } }

    func read(into buffer: inout [UInt8], maxCount: Int, timeoutMilliseconds: Int?) throws(SystemError) -> ReadResult {
        guard !input.isEmpty else { return .eof }
        let chunk = input.removeFirst()
        buffer += chunk
        return .data(chunk.count)
    }

    func write(_ bytes: [UInt8]) throws(SystemError) {
        if failWrites { throw SystemError(operation: "write", errno: EPIPE) }
        written += bytes
    }

    func note(_ event: TransportEvent) { notes.append(event) }
}

@Suite("TranscriptFile and TranscriptTransport", .serialized)
struct TranscriptFileTests {
    @Test("creates a 0600 file named by time and pid, records the session start")
    func create() throws {
        let scratch = Scratch()
        let file = try #require(
            TranscriptRecorder.open(
                directory: scratch.path, peer: "192.0.2.1:4321", pid: 4242, maxLiteral: 100, logger: scratch.logger))
        let names = scratch.files
        #expect(names.count == 1)
        let name = try #require(names.first)
        #expect(name == file.name)
        let pattern = try Regex(#"\d{8}T\d{6}\.\d{3}Z-pid4242\.transcript"#)
        #expect(name.wholeMatch(of: pattern) != nil)
        var st = stat()
        #expect(stat(scratch.path + "/" + name, &st) == 0)
        #expect(st.st_mode & 0o777 == 0o600)
        let first = scratch.contents(name).split(separator: "\n").first.map(String.init) ?? ""
        let startPattern = try Regex(
            #"\d\d:\d\d:\d\d\.\d{3} \*: session start \d{4}-\d\d-\d\dT[0-9:.]+Z pid=4242 peer=192\.0\.2\.1:4321"#)
        #expect(first.wholeMatch(of: startPattern) != nil)
    }

    @Test("the transport records both directions and the notes as the session runs, then renames on login")
    func transport() throws {
        let scratch = Scratch()
        let file = try #require(
            TranscriptRecorder.open(
                directory: scratch.path, peer: "local", pid: 7, maxLiteral: 100, logger: scratch.logger))
        let inner = FakeTransport(["AUTHENTICATE \"PLAIN\" \"AGFsaWNlAHNlY3JldA==\"\r\n", "LOGOUT\r\n"])
        let transport = TranscriptTransport(wrapping: inner, file: file)
        // It asks for the parser's records, and records nothing of what it reads itself.
        #expect(transport.clientInputLiteralCap == 100)
        try transport.write(Array("OK \"ready\"\r\n".utf8))
        var buffer: [UInt8] = []
        _ = try transport.read(into: &buffer, maxCount: 1000, timeoutMilliseconds: nil)
        #expect(scratch.records(file.name).last == "S: OK \"ready\"")
        transport.note(
            .clientInput(
                ClientInput(
                    literalLength: nil, shown: Array("AUTHENTICATE \"PLAIN\" ".utf8), withheld: 22,
                    shownAfter: [0x0D, 0x0A], dropped: 0, incomplete: false)))
        // Written at once: a kill -9 now would leave these records.
        #expect(
            scratch.records(file.name).suffix(2) == [
                "S: OK \"ready\"", "C: AUTHENTICATE \"PLAIN\" <redacted 22 bytes>",
            ])
        transport.note(.saslBegin(mechanism: "PLAIN"))
        transport.note(.saslEnd)
        transport.note(.login(user: "alice"))
        try transport.write(Array("OK\r\n".utf8))
        _ = try transport.read(into: &buffer, maxCount: 1000, timeoutMilliseconds: nil)
        transport.note(
            .clientInput(
                ClientInput(
                    literalLength: nil, shown: Array("LOGOUT".utf8), withheld: 0, shownAfter: [0x0D, 0x0A],
                    dropped: 0, incomplete: false)))
        try transport.write(Array("OK\r\n".utf8))
        #expect(try transport.read(into: &buffer, maxCount: 1000, timeoutMilliseconds: nil) == .eof)
        transport.note(.disconnect(reason: "logout"))
        #expect(file.name.hasSuffix("-pid7-alice.transcript"))
        #expect(scratch.files == [file.name])
        #expect(
            Array(scratch.records(file.name).dropFirst()) == [
                "S: OK \"ready\"", "C: AUTHENTICATE \"PLAIN\" <redacted 22 bytes>", "*: sasl begin mechanism=PLAIN",
                "*: sasl end", "*: login user=alice", "S: OK", "C: LOGOUT", "S: OK", "*: client closed the connection",
                "*: disconnect reason=logout",
            ])
        #expect(inner.notes.count == 6)
        #expect(inner.written == Array("OK \"ready\"\r\nOK\r\nOK\r\n".utf8))
        #expect(!scratch.contents(file.name).contains("AGFs"))
    }

    @Test("a failed write to the client is recorded and rethrown")
    func clientWriteError() throws {
        let scratch = Scratch()
        let file = try #require(
            TranscriptRecorder.open(
                directory: scratch.path, peer: "local", pid: 8, maxLiteral: 100, logger: scratch.logger))
        let inner = FakeTransport([])
        inner.failWrites = true
        let transport = TranscriptTransport(wrapping: inner, file: file)
        #expect(throws: SystemError.self) { try transport.write(Array("BYE\r\n".utf8)) }
        #expect(scratch.records(file.name).last?.hasPrefix("*: write error") == true)
    }

    @Test("a file write error is logged once and stops recording; the session's I/O goes on")
    func fullDisk() throws {
        let scratch = Scratch()
        let file = TranscriptFile(
            file: try DirectoryHandle(path: "/dev").openOrCreate("full"), directory: nil, directoryPath: "/dev",
            stem: "full", users: [], maxLiteral: 10,
            logger: scratch.logger)
        let inner = FakeTransport(["NOOP\r\n", "NOOP\r\n"])
        let transport = TranscriptTransport(wrapping: inner, file: file)
        try transport.write(Array("OK\r\n".utf8))
        #expect(!file.isRecording)
        var buffer: [UInt8] = []
        #expect(try transport.read(into: &buffer, maxCount: 100, timeoutMilliseconds: nil) == .data(6))
        try transport.write(Array("OK\r\n".utf8))
        #expect(inner.written == Array("OK\r\nOK\r\n".utf8))
        transport.note(.disconnect(reason: "x"))
        let log = scratch.log
        #expect(log.components(separatedBy: "transcript stopped").count == 2)
        #expect(log.contains("No space left on device"))
    }

    @Test("rawlog_peers: a peer outside the list gets no file at all")
    func peerFilter() {
        let scratch = Scratch()
        #expect(
            TranscriptRecorder.open(
                directory: scratch.path, peer: "192.0.2.1:1", pid: 1, maxLiteral: 10, peers: ["10.0.0.0/8"],
                logger: scratch.logger) == nil)
        #expect(scratch.files.isEmpty)
        #expect(
            TranscriptRecorder.open(
                directory: scratch.path, peer: "10.1.2.3:1", pid: 1, maxLiteral: 10, peers: ["10.0.0.0/8", "::1"],
                logger: scratch.logger) != nil)
        #expect(scratch.files.count == 1)
    }

    @Test("rawlog_users: a session that never logs in, or as another user, is deleted; a listed user's is kept")
    func userFilter() throws {
        let scratch = Scratch()
        func session(_ pid: Int32, login: String?) throws {
            let file = try #require(
                TranscriptRecorder.open(
                    directory: scratch.path, peer: "local", pid: pid, maxLiteral: 10, users: ["alice"],
                    logger: scratch.logger))
            file.recordClientInput(
                ClientInput(
                    literalLength: nil, shown: Array("NOOP".utf8), withheld: 0, shownAfter: [0x0D, 0x0A], dropped: 0,
                    incomplete: false))
            if let login { file.userIdentified(login) }
            file.note(.disconnect(reason: "done"))
        }
        try session(1, login: nil)
        try session(2, login: "bob")
        try session(3, login: "alice")
        #expect(scratch.files.count == 1)
        #expect(scratch.files.first?.hasSuffix("-pid3-alice.transcript") == true)
    }

    @Test("a missing directory is logged and gives no transcript")
    func missingDirectory() {
        let scratch = Scratch()
        #expect(
            TranscriptRecorder.open(
                directory: scratch.path + "/nope", peer: "local", pid: 1, maxLiteral: 10, logger: scratch.logger) == nil
        )
        #expect(scratch.log.contains("rawlog_dir"))
    }

    @Test("user names are made safe for file names")
    func safeNames() {
        #expect(TranscriptFile.safeFileNamePart("alice@example.org") == "alice@example.org")
        #expect(TranscriptFile.safeFileNamePart("../x y") == "_.._x_y")
        #expect(TranscriptFile.safeFileNamePart("") == "_")
    }
}
