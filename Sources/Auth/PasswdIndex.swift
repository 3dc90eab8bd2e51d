import Glibc
import Posix

/// The on-disk index of a passwd-file (`PASSWD_FILE.index`): where each user's lines are, and what the
/// greeting needs to know (which SCRAM hashes some user can use), so that a connection reads a few records
/// instead of the whole file. The file stays the only source of truth: the index names the version of the
/// file it was made from (device, inode, size, mtime and ctime to the nanosecond), and a reader that finds
/// another version, or anything malformed, does not use it.
///
/// Layout (little-endian): a 128-octet header — magic `MSPWIDX1`, format version, facts, the file's version,
/// the record count, the iteration count of the first stored SCRAM-SHA-1 and SCRAM-SHA-256 credential (0 for
/// none), an FNV-1a checksum of the header — then fixed 32-octet records sorted by (key, offset):
/// key = FNV-1a of the line's text before its first ':', the line's offset, length and 1-based number, and a
/// checksum of the record and its position. Every record a lookup reads is checked, so a damaged or shifted
/// record is noticed where it matters; a truncated file is noticed from its size.
enum PasswdIndex {
    static let magic: [UInt8] = Array("MSPWIDX1".utf8)
    static let formatVersion: UInt32 = 2
    static let headerSize = 128
    static let recordSize = 32

    /// What the greeting needs from the whole file.
    struct Facts: OptionSet, Equatable {
        let rawValue: UInt32
        /// Some user can log in with SCRAM-SHA-256 (a stored credential or a cleartext password).
        static let sha256 = Facts(rawValue: 1)
        /// Some user can log in with SCRAM-SHA-1.
        static let sha1 = Facts(rawValue: 2)
        /// A line has a SCRAM or cleartext scheme marker at all (`PasswdFile.mayServeSCRAM`).
        static let schemeMarker = Facts(rawValue: 4)

        func canServe(_ hash: SCRAMHash) -> Bool { contains(hash == .sha256 ? .sha256 : .sha1) }
    }

    struct Record: Equatable {
        var key: UInt64
        var offset: UInt64
        var length: UInt32
        var line: UInt32
    }

    enum Problem: Error, Equatable {
        case missing
        case stale
        case untrusted(String)
        case corrupt(String)
        case unreadable(String)
    }

    static func path(for passwdPath: String) -> String { passwdPath + ".index" }

    // MARK: Hashing

    static func fnv1a(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 {
        var hash = seed
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }

    static func key<S: Collection>(_ name: S) -> UInt64 where S.Element == UInt8 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }

    // MARK: Encoding

    static func put(_ value: UInt64, _ bytes: inout [UInt8], at offset: Int) {
        for index in 0..<8 { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(index))) }
    }

    static func put(_ value: UInt32, _ bytes: inout [UInt8], at offset: Int) {
        for index in 0..<4 { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(index))) }
    }

    static func get64(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in (0..<8).reversed() { value = value << 8 | UInt64(bytes[offset + index]) }
        return value
    }

    static func get32(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt32 {
        var value: UInt32 = 0
        for index in (0..<4).reversed() { value = value << 8 | UInt32(bytes[offset + index]) }
        return value
    }

    /// The whole index for `records` (any order) of the file version `version`.
    static func encode(
        records: [Record], facts: Facts, iterations: [SCRAMHash: Int] = [:], version: FileVersion
    ) -> [UInt8] {
        let sorted = records.sorted { ($0.key, $0.offset) < ($1.key, $1.offset) }
        var bytes = [UInt8](repeating: 0, count: headerSize + sorted.count * recordSize)
        for (index, byte) in magic.enumerated() { bytes[index] = byte }
        put(formatVersion, &bytes, at: 8)
        put(facts.rawValue, &bytes, at: 12)
        put(version.device, &bytes, at: 16)
        put(version.inode, &bytes, at: 24)
        put(version.size, &bytes, at: 32)
        put(UInt64(bitPattern: version.modificationSeconds), &bytes, at: 40)
        put(UInt64(bitPattern: version.modificationNanoseconds), &bytes, at: 48)
        put(UInt64(bitPattern: version.changeSeconds), &bytes, at: 56)
        put(UInt64(bitPattern: version.changeNanoseconds), &bytes, at: 64)
        put(UInt64(sorted.count), &bytes, at: 72)
        for hash in SCRAMHash.allCases {
            put(UInt32(clamping: iterations[hash] ?? 0), &bytes, at: iterationsOffset(hash))
        }
        let headerCheck = bytes.withUnsafeBytes { fnv1a(UnsafeRawBufferPointer(rebasing: $0[0..<120])) }
        put(headerCheck, &bytes, at: 120)
        for (index, record) in sorted.enumerated() {
            let start = headerSize + index * recordSize
            put(record.key, &bytes, at: start)
            put(record.offset, &bytes, at: start + 8)
            put(record.length, &bytes, at: start + 16)
            put(record.line, &bytes, at: start + 20)
            let check = bytes.withUnsafeBytes {
                recordCheck(UnsafeRawBufferPointer(rebasing: $0[start..<start + 24]), index)
            }
            put(check, &bytes, at: start + 24)
        }
        return bytes
    }

    /// Where the header keeps the first stored credential's iteration count of `hash`.
    static func iterationsOffset(_ hash: SCRAMHash) -> Int { hash == .sha1 ? 80 : 84 }

    static func recordCheck(_ record: UnsafeRawBufferPointer, _ index: Int) -> UInt64 {
        var position = UInt64(index)
        let seed = withUnsafeBytes(of: &position) { fnv1a($0) }
        return fnv1a(record, seed: seed)
    }

    // MARK: Reading

    /// An open index whose header matched the passwd-file's version.
    final class Reader {
        let file: FileSystemFile
        let count: Int
        let facts: Facts
        /// The iteration count of the file's first stored credential of each hash that has one.
        let iterations: [SCRAMHash: Int]
        let sourceSize: UInt64

        /// Opens the index at `path` for a passwd-file of version `version` owned by `owner`. Only a regular
        /// file (no link) owned by root or by the passwd-file's owner, and writable by nobody else, is trusted.
        static func open(path: String, expecting version: FileVersion, owner: UInt32) -> Result<Reader, Problem> {
            let file: FileSystemFile
            do {
                file = try FileSystemFile.openForReading(path: path, followLinks: false)
            } catch {
                return .failure(error.isNotFound ? .missing : .unreadable("\(error)"))
            }
            let status: (version: FileVersion, ownership: FileOwnership)
            do {
                status = try file.version()
            } catch {
                return .failure(.unreadable("\(error)"))
            }
            guard status.ownership.isRegular else { return .failure(.untrusted("not a regular file")) }
            guard status.ownership.owner == 0 || status.ownership.owner == owner else {
                return .failure(.untrusted("owned by uid \(status.ownership.owner)"))
            }
            guard !status.ownership.isWritableByOthers else {
                return .failure(.untrusted("writable by group or others"))
            }
            var header = [UInt8](repeating: 0, count: headerSize)
            let got: Int
            do {
                got = try header.withUnsafeMutableBytes { buffer throws(SystemError) in
                    try file.read(at: 0, into: buffer)
                }
            } catch {
                return .failure(.unreadable("\(error)"))
            }
            return header.withUnsafeBytes { raw -> Result<Reader, Problem> in
                guard got == headerSize else { return .failure(.corrupt("truncated header")) }
                guard raw.prefix(8).elementsEqual(magic) else { return .failure(.corrupt("bad magic")) }
                guard get64(raw, 120) == fnv1a(UnsafeRawBufferPointer(rebasing: raw[0..<120])) else {
                    return .failure(.corrupt("header checksum mismatch"))
                }
                guard get32(raw, 8) == formatVersion else { return .failure(.stale) }
                let recorded = FileVersion(
                    device: get64(raw, 16), inode: get64(raw, 24), size: get64(raw, 32),
                    modificationSeconds: Int64(bitPattern: get64(raw, 40)),
                    modificationNanoseconds: Int64(bitPattern: get64(raw, 48)),
                    changeSeconds: Int64(bitPattern: get64(raw, 56)),
                    changeNanoseconds: Int64(bitPattern: get64(raw, 64)))
                guard recorded == version else { return .failure(.stale) }
                let count = get64(raw, 72)
                guard count <= UInt64(Int.max / recordSize),
                    status.version.size == UInt64(headerSize) + count * UInt64(recordSize)
                else { return .failure(.corrupt("size \(status.version.size) does not match \(count) records")) }
                var iterations: [SCRAMHash: Int] = [:]
                for hash in SCRAMHash.allCases {
                    let stored = Int(get32(raw, iterationsOffset(hash)))
                    guard stored != 0 else { continue }
                    guard stored >= SCRAMCredentials.minimumIterations, stored <= SCRAMCredentials.maximumIterations
                    else { return .failure(.corrupt("iteration count \(stored) out of range")) }
                    iterations[hash] = stored
                }
                return .success(
                    Reader(
                        file: file, count: Int(count), facts: Facts(rawValue: get32(raw, 12)), iterations: iterations,
                        sourceSize: version.size))
            }
        }

        private init(
            file: FileSystemFile, count: Int, facts: Facts, iterations: [SCRAMHash: Int], sourceSize: UInt64
        ) {
            self.file = file
            self.count = count
            self.facts = facts
            self.iterations = iterations
            self.sourceSize = sourceSize
        }

        /// Record `index`, checked.
        func record(_ index: Int) throws(Problem) -> Record {
            var bytes = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
            let got: Int
            do {
                got = try withUnsafeMutableBytes(of: &bytes) { buffer throws(SystemError) in
                    try file.read(at: UInt64(headerSize + index * recordSize), into: buffer)
                }
            } catch {
                throw .unreadable("\(error)")
            }
            return try withUnsafeBytes(of: &bytes) { raw throws(Problem) in
                guard got == recordSize else { throw .corrupt("truncated record \(index)") }
                guard get64(raw, 24) == recordCheck(UnsafeRawBufferPointer(rebasing: raw[0..<24]), index) else {
                    throw .corrupt("checksum mismatch in record \(index)")
                }
                let record = Record(
                    key: get64(raw, 0), offset: get64(raw, 8), length: get32(raw, 16), line: get32(raw, 20))
                guard record.offset <= sourceSize, UInt64(record.length) <= sourceSize - record.offset else {
                    throw .corrupt("record \(index) points outside the passwd-file")
                }
                return record
            }
        }

        /// The records whose key is `key`, in file order (binary search for the first, then the run).
        func records(for key: UInt64) throws(Problem) -> [Record] {
            var low = 0
            var high = count
            while low < high {
                let middle = low + (high - low) / 2
                if try record(middle).key < key { low = middle + 1 } else { high = middle }
            }
            var result: [Record] = []
            var index = low
            while index < count {
                let next = try record(index)
                guard next.key == key else { break }
                if let last = result.last, last.offset >= next.offset { throw .corrupt("records out of order") }
                result.append(next)
                index += 1
            }
            if low > 0, try record(low - 1).key >= key { throw .corrupt("records out of order") }
            return result
        }
    }
}
