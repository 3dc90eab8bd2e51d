import Auth
import ManageSieveProtocol
import ManageSieveServer
import Posix
@testable import SieveStorage

/// A `ScriptStore` in memory, with the same rules as the file store.
final class MemoryStore: ScriptStore {
    var scripts: [String: [UInt8]] = [:]
    var active: String?
    var quota = QuotaLimits()

    func listScripts() throws(StorageError) -> [StoredScript] {
        scripts.keys.sorted().map { StoredScript(name: $0, isActive: $0 == active, size: scripts[$0]!.count) }
    }
    func getScript(_ name: String) throws(StorageError) -> [UInt8] {
        guard let s = scripts[name] else { throw .notFound(name) }
        return s
    }
    func scriptExists(_ name: String) throws(StorageError) -> Bool { scripts[name] != nil }
    func checkSpace(name: String, size: UInt64) throws(StorageError) {
        if let max = quota.maxScriptSize, size > max { throw .quotaExceeded(.maxSize, limit: max) }
        if let max = quota.maxScripts, scripts[name] == nil, UInt64(scripts.count) >= max {
            throw .quotaExceeded(.maxScripts, limit: max)
        }
        if let max = quota.maxStorage {
            let used = scripts.filter { $0.key != name }.values.reduce(0) { $0 + $1.count }
            if UInt64(used) + size > max { throw .quotaExceeded(.maxStorage, limit: max) }
        }
    }
    func putScript(_ name: String, content: [UInt8]) throws(StorageError) {
        try checkSpace(name: name, size: UInt64(content.count))
        scripts[name] = content
    }
    func deleteScript(_ name: String) throws(StorageError) {
        guard scripts[name] != nil else { throw .notFound(name) }
        if active == name { throw .isActive(name) }
        scripts[name] = nil
    }
    func renameScript(_ oldName: String, to newName: String) throws(StorageError) {
        guard let s = scripts[oldName] else { throw .notFound(oldName) }
        if scripts[newName] != nil { throw .alreadyExists(newName) }
        scripts[newName] = s
        scripts[oldName] = nil
        if active == oldName { active = newName }
    }
    func setActive(_ name: String?) throws(StorageError) {
        if let name, scripts[name] == nil { throw .notFound(name) }
        active = name
    }
    func activeScript() throws(StorageError) -> String? { active }
}

/// Users from an in-memory passwd-file; every login opens the same memory store.
final class MemoryBackend: SessionBackend {
    let passwd: PasswdFile
    let store = MemoryStore()
    var logins: [String] = []
    var maxScriptSize = 1 << 20

    init(_ text: String = "alice:{PLAIN}secret:1000:1000::/home/alice::\nbob:{PLAIN}hunter2:1001:1001::/home/bob::\n") {
        passwd = PasswdFile(parsing: Array(text.utf8))
    }
    func lookupUser(_ name: String) -> PasswdEntry? { passwd.entry(for: name) }
    func beginUserSession(_ entry: PasswdEntry) -> Result<LoginOutcome, LoginRefusal> {
        if entry.uid < 500 { return .failure(.uidNotAllowed(uid: entry.uid, gid: entry.gid)) }
        logins.append(entry.user)
        return .success(.local(UserContext(user: entry.user, store: store, maxScriptSize: maxScriptSize)))
    }
}

/// A transport that hands the client's bytes out in chunks of a fixed size and records the output.
final class ScriptedTransport: Transport {
    var input: [UInt8]
    let chunk: Int
    var output: [UInt8] = []
    var events: [TransportEvent] = []

    init(_ input: [UInt8], chunk: Int) {
        self.input = input
        self.chunk = chunk
    }
    func read(into buffer: inout [UInt8], maxCount: Int, timeoutMilliseconds: Int?) throws(SystemError) -> ReadResult {
        if input.isEmpty { return .eof }
        let n = min(chunk, maxCount, input.count)
        buffer.append(contentsOf: input[..<n])
        input.removeFirst(n)
        return .data(n)
    }
    func write(_ bytes: [UInt8]) throws(SystemError) { output += bytes }
    func note(_ event: TransportEvent) { events.append(event) }
}

func plain(_ user: String, _ password: String) -> String {
    String(decoding: Base64.encode(Array("\0\(user)\0\(password)".utf8)), as: UTF8.self)
}

/// Runs a whole session over a scripted transport and returns the server's output.
func runSession(
    _ client: String, chunk: Int = 1 << 20, settings: ServerSettings = testSettings(),
    backend: MemoryBackend = MemoryBackend()
) -> (output: String, transport: ScriptedTransport) {
    let transport = ScriptedTransport(Array(client.utf8), chunk: chunk)
    let connection = Connection(
        transport: transport, session: Session(settings: settings, backend: backend),
        logger: Logger(destination: .discard), timeouts: ConnectionTimeouts(), upgradeToTLS: nil)
    _ = connection.run()
    return (String(decoding: transport.output, as: UTF8.self), transport)
}

func testSettings() -> ServerSettings {
    var s = ServerSettings()
    s.authFailureDelayMilliseconds = 0
    return s
}
