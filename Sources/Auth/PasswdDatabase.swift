import Glibc
import Posix

/// Whether SCRAM with a hash can succeed for some user: what the greeting's SASL list needs.
public protocol SCRAMAvailability {
    func canServe(_ hash: SCRAMHash) -> Bool
}

extension PasswdFile: SCRAMAvailability {}
extension PasswdDatabase: SCRAMAvailability {}

extension SCRAMAvailability {
    /// What a connection's greeting needs from the passwd-file, asked once per process (the server keeps the
    /// answer for every later mechanism list).
    public var greetingFacts: PasswdGreetingFacts {
        PasswdGreetingFacts(scramSHA1: canServe(.sha1), scramSHA256: canServe(.sha256))
    }
}

/// Which SCRAM hashes some user of a passwd-file can log in with (`SCRAMAvailability.greetingFacts`).
public struct PasswdGreetingFacts: SCRAMAvailability, Equatable, Sendable {
    public var scramSHA1: Bool
    public var scramSHA256: Bool

    public init(scramSHA1: Bool = false, scramSHA256: Bool = false) {
        self.scramSHA1 = scramSHA1
        self.scramSHA256 = scramSHA256
    }

    public func canServe(_ hash: SCRAMHash) -> Bool {
        switch hash {
        case .sha1: scramSHA1
        case .sha256: scramSHA256
        }
    }
}

/// The passwd-file as one connection uses it: what the greeting needs (which SCRAM hashes some user can use)
/// and one user's lines.
///
/// A small file (up to `indexThreshold`) is read whole and searched in memory (`PasswdFile`). A larger one is
/// read through its index (`PasswdIndex`, `PASSWD_FILE.index`): a header and a binary search over fixed
/// records, then the user's own lines read from the file, so a connection's cost does not grow with the
/// number of users. When the index is missing, stale (made from another version of the file), damaged or not
/// trustworthy, the file is scanned in chunks (no size limit, no whole-file copy in memory) and the answer
/// comes from that scan; the same scan writes a fresh index (atomically, next to the file) when the process
/// may, under an flock on the passwd-file so that concurrent connections do not all rebuild it. The file is
/// thus the only source of truth, and a change to it is seen by the next connection with nothing to run.
public final class PasswdDatabase {
    /// Files up to this size are read whole; larger ones go through the index.
    public static let indexThreshold = 64 << 10
    /// How long a connection waits for another one that is rebuilding the index before scanning itself.
    static let rebuildWaitMilliseconds = 30_000

    enum Source {
        case text(PasswdFile)
        case indexed(FileSystemFile, PasswdIndex.Reader)
        case scanned(FileSystemFile, PasswdScan)
    }

    let path: String
    private(set) var source: Source
    /// Whether a missing, stale or damaged index may be rewritten.
    let writeIndex: Bool
    /// The file could not be read (the database is then empty).
    public let loadError: AuthError?
    /// What the log should learn about the index (rebuilt, ignored and why, not writable), in order.
    public private(set) var notes: [(level: LogLevel, message: String)] = []

    /// The notes not yet taken (each is logged once).
    public func takeNotes() -> [(level: LogLevel, message: String)] {
        defer { notes.removeAll() }
        return notes
    }

    /// A database over text already in memory (tests, and a file the caller has read).
    public init(text: [UInt8]) {
        path = ""
        writeIndex = false
        source = .text(PasswdFile(parsing: text))
        loadError = nil
    }

    /// Opens the passwd-file at `path`. `writeIndex`: rebuild a missing or stale index (the server and
    /// `managesievectl` do; a reader that must not write anything passes false).
    public init(path: String, writeIndex: Bool = true) {
        self.path = path
        self.writeIndex = writeIndex
        var notes: [(level: LogLevel, message: String)] = []
        // Three constants rather than one tuple: a tuple of these is copied through its runtime type metadata,
        // which costs a connection's start-up more than opening the file.
        let file: FileSystemFile
        let version: FileVersion
        let ownership: FileOwnership
        do throws(SystemError) {
            file = try FileSystemFile.openForReading(path: path, followLinks: true)
            let status = try file.version()
            guard status.ownership.isRegular else {
                throw SystemError(operation: "read", path: path, errno: EINVAL, detail: "not a regular file")
            }
            (version, ownership) = (status.version, status.ownership)
        } catch {
            source = .text(PasswdFile(parsing: []))
            loadError = .passwdFileUnreadable(path: path, error)
            return
        }
        loadError = nil
        if version.size <= UInt64(Self.indexThreshold) {
            let bytes = try? file.readAll(maxSize: Self.indexThreshold, knownSize: version.size)
            source = .text(PasswdFile(parsing: bytes ?? []))
            self.notes = notes
            return
        }
        let indexPath = PasswdIndex.path(for: path)
        switch PasswdIndex.Reader.open(path: indexPath, expecting: version, owner: ownership.owner) {
        case .success(let reader):
            source = .indexed(file, reader)
            return
        case .failure(let problem):
            if let note = Self.describe(problem, indexPath) { notes.append(note) }
        }
        let recovered = Self.recover(
            file: file, version: version, owner: ownership.owner, indexPath: indexPath, path: path,
            writeIndex: writeIndex, recheck: true)
        source = recovered.source
        notes += recovered.notes
        self.notes = notes
    }

    /// The answer without a usable index: scan the file, and write a fresh index when `writeIndex` allows and
    /// the file did not change meanwhile. The rebuild holds the passwd-file's flock; a connection that had to
    /// wait for another's rebuild looks at the index again first (`recheck`) instead of scanning.
    private static func recover(
        file: FileSystemFile, version: FileVersion, owner: UInt32, indexPath: String, path: String,
        writeIndex: Bool, recheck: Bool
    ) -> (source: Source, notes: [(level: LogLevel, message: String)]) {
        var notes: [(level: LogLevel, message: String)] = []
        var locked = false
        if writeIndex, (try? file.tryLockExclusive()) == true {
            locked = true
        } else if writeIndex, (try? file.lockExclusive(timeoutMilliseconds: rebuildWaitMilliseconds)) == true {
            locked = true
            if recheck,
                case .success(let reader) = PasswdIndex.Reader.open(path: indexPath, expecting: version, owner: owner)
            {
                try? file.unlock()
                return (.indexed(file, reader), notes)
            }
        }
        defer { if locked { try? file.unlock() } }
        let scan = PasswdScan(file: file, size: version.size)
        guard locked, scan.complete else { return (.scanned(file, scan), notes) }
        // Only an index of the version that was scanned is written (the file may have changed meanwhile).
        guard let after = try? file.version().version, after == version else {
            notes.append((.notice, "passwd-file \(path) changed while it was read; index not written"))
            return (.scanned(file, scan), notes)
        }
        do {
            try writeIndexFile(
                PasswdIndex.encode(
                    records: scan.records, facts: scan.facts, iterations: scan.iterations, version: version),
                to: indexPath)
            notes.append((.info, "passwd-file index \(indexPath) rebuilt (\(scan.records.count) lines)"))
        } catch {
            notes.append((.warning, "cannot write passwd-file index \(indexPath): \(error); every connection scans"))
        }
        return (.scanned(file, scan), notes)
    }

    /// Builds the index of the passwd-file at `path` now, whatever state it is in (`managesievectl
    /// passwd-index`), under the same flock the server takes. Returns the index's path, how many lines it
    /// records and the SCRAM hashes some user can use.
    public static func rebuildIndex(
        path: String
    ) throws(SystemError) -> (indexPath: String, lines: Int, scram: [SCRAMHash]) {
        let file = try FileSystemFile.openForReading(path: path, followLinks: true)
        guard try file.lockExclusive(timeoutMilliseconds: rebuildWaitMilliseconds) else {
            throw SystemError(operation: "lock", path: path, errno: EWOULDBLOCK)
        }
        defer { try? file.unlock() }
        let indexPath = PasswdIndex.path(for: path)
        // An editor may be writing the file: a scan that saw it change is done again.
        for _ in 0..<3 {
            let version = try file.version().version
            let scan = PasswdScan(file: file, size: version.size)
            guard scan.complete, try file.version().version == version else { continue }
            try writeIndexFile(
                PasswdIndex.encode(
                    records: scan.records, facts: scan.facts, iterations: scan.iterations, version: version),
                to: indexPath)
            return (indexPath, scan.records.count, SCRAMHash.allCases.filter { scan.facts.canServe($0) })
        }
        throw SystemError(operation: "index (the file kept changing)", path: path, errno: EAGAIN)
    }

    /// How the index of the passwd-file at `path` stands, in words (`managesievectl passwd-index --check`):
    /// nil when it is fresh and trusted.
    public static func indexProblem(path: String) -> String? {
        do {
            let file = try FileSystemFile.openForReading(path: path, followLinks: true)
            let status = try file.version()
            let indexPath = PasswdIndex.path(for: path)
            switch PasswdIndex.Reader.open(path: indexPath, expecting: status.version, owner: status.ownership.owner) {
            case .success: return nil
            case .failure(let problem): return describe(problem, indexPath)?.1
            }
        } catch {
            return "\(error)"
        }
    }

    private static func describe(_ problem: PasswdIndex.Problem, _ indexPath: String) -> (LogLevel, String)? {
        switch problem {
        case .missing: (.info, "passwd-file index \(indexPath) missing")
        case .stale: (.info, "passwd-file index \(indexPath) is stale (made from another version of the file)")
        case .untrusted(let why): (.warning, "passwd-file index \(indexPath) ignored: \(why)")
        case .corrupt(let why): (.warning, "passwd-file index \(indexPath) ignored: damaged (\(why))")
        case .unreadable(let why): (.warning, "passwd-file index \(indexPath) ignored: \(why)")
        }
    }

    /// Writes `bytes` as `path` atomically: an exclusive temporary file in the same directory (mode 0600,
    /// never following a link), fsync, rename over `path`, fsync of the directory.
    static func writeIndexFile(_ bytes: [UInt8], to path: String) throws(SystemError) {
        let slash = path.lastIndex(of: "/")
        let directoryPath = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let directory = try DirectoryHandle(path: directoryPath)
        let random = String(UInt64.random(in: .min ... .max), radix: 16)
        let temporary = ".\(name).\(FileSystem.processID).\(random).tmp"
        let file = try directory.createExclusive(temporary, mode: 0o600)
        do throws(SystemError) {
            try file.write(bytes)
            try file.sync()
            try directory.rename(temporary, to: name)
        } catch {
            try? directory.unlink(temporary)
            throw error
        }
        try directory.sync()
    }

    // MARK: Questions

    /// The entry for `user` and the problems of the lines that name that user, for the log. A name holding
    /// ':' is nobody's (no entry can have one).
    public func lookup(_ user: String) -> (entry: PasswdEntry?, problems: [(line: Int, message: String)]) {
        guard !user.isEmpty, !user.utf8.contains(0x3A) else { return (nil, []) }
        switch source {
        case .text(let passwd):
            return passwd.lookup(user)
        case .indexed(let file, let reader):
            do {
                return try Self.lookup(user, in: file, records: reader.records(for: PasswdIndex.key(user.utf8)))
            } catch {
                // The index failed us half-way (a damaged record, or the file changed under it): scan, and
                // replace the index.
                notes.append((.warning, "passwd-file index \(PasswdIndex.path(for: path)) ignored: \(error)"))
                guard let status = try? file.version() else { return (nil, []) }
                let recovered = Self.recover(
                    file: file, version: status.version, owner: status.ownership.owner,
                    indexPath: PasswdIndex.path(for: path), path: path, writeIndex: writeIndex, recheck: false)
                source = recovered.source
                notes += recovered.notes
                return lookup(user)
            }
        case .scanned(let file, let scan):
            let key = PasswdIndex.key(user.utf8)
            return (try? Self.lookup(user, in: file, records: scan.records.filter { $0.key == key })) ?? (nil, [])
        }
    }

    /// The entry for exactly this user name, if any.
    public func entry(for user: String) -> PasswdEntry? { lookup(user).entry }

    /// After the privilege drop: from now on the database holds `user`'s lines only (read through the index
    /// or the scan when the file was not read whole), the whole-file text is zeroed (`PasswdFile.keepOnly`),
    /// and the file and index opened as root are released. Later lookups of `user` (a login again after
    /// UNAUTHENTICATE) give the same entry; line numbers in their problems count from the kept lines.
    public func keepOnly(_ user: String) {
        switch source {
        case .text(var passwd):
            source = .text(PasswdFile(parsing: []))
            passwd.keepOnly(user)
            source = .text(passwd)
        case .indexed(let file, let reader):
            let lines = (try? Self.lines(of: user, in: file, records: reader.records(for: PasswdIndex.key(user.utf8))))
            source = .text(PasswdFile(parsing: Self.joined(lines ?? [])))
        case .scanned(let file, let scan):
            let key = PasswdIndex.key(user.utf8)
            let lines = try? Self.lines(of: user, in: file, records: scan.records.filter { $0.key == key })
            source = .text(PasswdFile(parsing: Self.joined(lines ?? [])))
        }
    }

    private static func joined(_ lines: [(line: Int, bytes: ArraySlice<UInt8>)]) -> [UInt8] {
        var text: [UInt8] = []
        for (_, bytes) in lines {
            text.append(contentsOf: bytes)
            text.append(0x0A)
        }
        return text
    }

    /// Reads the candidate lines and applies `PasswdFile.lookup`'s rules to them: lines starting with `user:`,
    /// malformed ones reported, the first valid one wins. A record that does not describe a whole line of this
    /// file with its key's name means the index is not this file's: `PasswdIndex.Problem.stale`.
    private static func lookup(
        _ user: String, in file: FileSystemFile, records: [PasswdIndex.Record]
    ) throws(PasswdIndex.Problem) -> (entry: PasswdEntry?, problems: [(line: Int, message: String)]) {
        PasswdFile.pick(user, from: try lines(of: user, in: file, records: records))
    }

    /// The lines of `records` that start with `user:` (numbered, CR stripped), checked as `lookup` says.
    private static func lines(
        of user: String, in file: FileSystemFile, records: [PasswdIndex.Record]
    ) throws(PasswdIndex.Problem) -> [(line: Int, bytes: ArraySlice<UInt8>)] {
        let prefix = Array(user.utf8) + [0x3A]
        var lines: [(line: Int, bytes: ArraySlice<UInt8>)] = []
        for record in records {
            // The octet before the line (a newline, unless it is the first) and the one after it too.
            let before = record.offset > 0 ? 1 : 0
            var bytes = [UInt8](repeating: 0, count: Int(record.length) + before + 1)
            let got: Int
            do {
                got = try bytes.withUnsafeMutableBytes { buffer throws(SystemError) in
                    try file.read(at: record.offset - UInt64(before), into: buffer)
                }
            } catch {
                throw .unreadable("\(error)")
            }
            let end = before + Int(record.length)
            guard got >= end, before == 0 || bytes[0] == 0x0A, got == end || bytes[end] == 0x0A else { throw .stale }
            let line = bytes[before..<end]
            guard let colon = line.firstIndex(of: 0x3A), PasswdIndex.key(line[..<colon]) == record.key else {
                throw .stale
            }
            // Another name with the same hash: not this user's line.
            guard line.starts(with: prefix) else { continue }
            lines.append((Int(record.line), line.last == 0x0D ? line.dropLast() : line))
        }
        return lines
    }

    /// The iteration count of the first stored `hash` credential (see `PasswdFile.scramIterations`), from the
    /// file, the index's header or the chunked scan alike: an unknown user's SCRAM challenge shows the count
    /// real users get whichever way the file was read.
    public func scramIterations(_ hash: SCRAMHash) -> Int? {
        switch source {
        case .text(let passwd): passwd.scramIterations(hash)
        case .indexed(_, let reader): reader.iterations[hash]
        case .scanned(_, let scan): scan.iterations[hash]
        }
    }

    /// Whether SCRAM with `hash` can succeed for some user (see `PasswdFile.canServe`).
    public func canServe(_ hash: SCRAMHash) -> Bool {
        switch source {
        case .text(let passwd): passwd.canServe(hash)
        case .indexed(_, let reader): reader.facts.canServe(hash)
        case .scanned(_, let scan): scan.facts.canServe(hash)
        }
    }

    /// False when no user can use SCRAM at all (no SCRAM or cleartext entry); the greeting can then be made
    /// without looking further. True means "perhaps": `canServe` decides.
    public var mayServeSCRAM: Bool {
        switch source {
        case .text(let passwd): passwd.mayServeSCRAM
        case .indexed(_, let reader): reader.facts.contains(.schemeMarker)
        case .scanned(_, let scan): scan.facts.contains(.schemeMarker)
        }
    }

    /// Whether the answers come from the index (for tests and `managesievectl`).
    public var usesIndex: Bool {
        if case .indexed = source { return true }
        return false
    }
}

/// One pass over the passwd-file in chunks: a record per line that can name a user, and the greeting's facts.
struct PasswdScan {
    var records: [PasswdIndex.Record] = []
    var facts: PasswdIndex.Facts = []
    /// The iteration count of the first stored credential of each hash (`PasswdFile.scramIterations`).
    var iterations: [SCRAMHash: Int] = [:]
    /// False when a read failed part-way (the records then describe a prefix of the file only).
    var complete = true

    static let chunkSize = 1 << 20

    init(file: FileSystemFile, size: UInt64) {
        records.reserveCapacity(Int(min(size / 64, 1 << 24)))
        var buffer = [UInt8](repeating: 0, count: Self.chunkSize)
        var filled = 0
        var bufferOffset: UInt64 = 0
        var lineNumber: UInt32 = 0
        var atEnd = false
        while !atEnd {
            if filled == buffer.count {
                // One line longer than the buffer: grow it.
                buffer.append(contentsOf: repeatElement(0, count: buffer.count))
            }
            let got: Int
            do {
                got = try buffer.withUnsafeMutableBytes { raw throws(SystemError) in
                    try file.read(
                        at: bufferOffset + UInt64(filled),
                        into: UnsafeMutableRawBufferPointer(rebasing: raw[filled...]))
                }
            } catch {
                complete = false
                return
            }
            filled += got
            atEnd = got == 0 || filled < buffer.count
            var consumed = 0
            buffer.withUnsafeBytes { raw in
                let base = raw.baseAddress!
                var start = 0
                while start < filled {
                    let newline = memchr(base + start, 0x0A, filled - start).map { UnsafeRawPointer($0) - base }
                    guard let end = newline ?? (atEnd ? filled : nil) else { break }
                    lineNumber &+= 1
                    add(
                        UnsafeRawBufferPointer(rebasing: raw[start..<end]), offset: bufferOffset + UInt64(start),
                        line: lineNumber)
                    start = end + 1
                }
                consumed = min(start, filled)
            }
            if consumed > 0 {
                buffer.withUnsafeMutableBytes { raw in
                    if filled > consumed {
                        memmove(raw.baseAddress!, raw.baseAddress! + consumed, filled - consumed)
                    }
                }
                filled -= consumed
                bufferOffset += UInt64(consumed)
            }
        }
    }

    private mutating func add(_ line: UnsafeRawBufferPointer, offset: UInt64, line number: UInt32) {
        guard let base = line.baseAddress, let colonPointer = memchr(base, 0x3A, line.count) else { return }
        let colon = UnsafeRawPointer(colonPointer) - base
        guard colon > 0 else { return }
        // Comments never name a user (`PasswdFile` skips lines whose first non-blank octet is '#').
        var first = 0
        while first < colon && (line[first] == 0x20 || line[first] == 0x09) { first += 1 }
        if line[first] == 0x23 { return }
        records.append(
            PasswdIndex.Record(
                key: PasswdIndex.fnv1a(UnsafeRawBufferPointer(start: base, count: colon)), offset: offset,
                length: UInt32(clamping: line.count), line: number))
        guard memchr(line.baseAddress!, 0x7B, line.count) != nil else { return }
        let text = line.last == 0x0D ? Array(line.dropLast()) : Array(line)
        let found = text.withUnsafeBytes { PasswdFile.mayServeSCRAM($0) }
        guard found else { return }
        facts.insert(.schemeMarker)
        let single = PasswdFile(parsing: text)
        for hash in SCRAMHash.allCases where single.canServe(hash) {
            facts.insert(hash == .sha256 ? .sha256 : .sha1)
        }
        for hash in SCRAMHash.allCases where iterations[hash] == nil {
            iterations[hash] = single.scramIterations(hash)
        }
    }
}
