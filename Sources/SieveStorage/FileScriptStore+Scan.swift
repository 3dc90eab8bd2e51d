import Posix

// Reading the storage directory: the listing and the quota's count and sum. Both walk the entries as
// getdents returns them (names in place, types from the directory) instead of a String and an fstatat
// per entry: with a thousand scripts those were nearly all of a LISTSCRIPTS and of an upload's quota check.

extension FileScriptStore {
    /// The length of NAME if `entry` is `NAME.sieve` with a non-empty NAME, else nil.
    static func scriptNameLength(_ entry: UnsafeBufferPointer<UInt8>) -> Int? {
        let count = entry.count - 6
        guard count > 0, entry[count] == UInt8(ascii: "."), entry[count + 1] == UInt8(ascii: "s"),
            entry[count + 2] == UInt8(ascii: "i"), entry[count + 3] == UInt8(ascii: "e"),
            entry[count + 4] == UInt8(ascii: "v"), entry[count + 5] == UInt8(ascii: "e")
        else { return nil }
        return count
    }

    /// Whether the octets are UTF-8 (a name that is not is no script: it could not be named in the protocol).
    static func isUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        for byte in bytes where byte >= 0x80 {
            return String(validating: bytes, as: UTF8.self) != nil
        }
        return true
    }

    /// Whether the entry is a regular file: the directory's word for it, an fstatat only where the file system
    /// gives no type. A link is never a script, whatever it points at.
    static func isRegular(_ entry: DirectoryEntry) throws(SystemError) -> Bool {
        if let kind = entry.kind { return kind == .regular }
        return try entry.status()?.kind == .regular
    }

    /// The entry's size if it is a regular file, nil if it is not; with `sizes` unset the size is 0 and no
    /// fstatat is made where the file system reports types.
    static func regularSize(_ entry: DirectoryEntry, sizes: Bool) throws(SystemError) -> UInt64? {
        guard sizes else { return try isRegular(entry) ? 0 : nil }
        guard entry.kind == nil || entry.kind == .regular, let status = try entry.status(), status.kind == .regular
        else { return nil }
        return status.size
    }

    /// The scripts (regular `NAME.sieve` files with a UTF-8 NAME) in the byte order of their names, each
    /// made into a `T` by `make` (nil leaves it out), with its size when `sizes` is set (one fstatat each;
    /// without it, none where the file system reports types, and the sizes are 0).
    func scanScripts<T>(
        in directory: DirectoryHandle, sizes: Bool, _ make: (String, UInt64) -> T?
    ) throws(StorageError) -> [T] {
        // Every name in one buffer, sorted as spans of it: no String until the order is known.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(4096)
        var spans: [NameSpan] = []
        try Self.io { () throws(SystemError) in
            try directory.scan { entry throws(SystemError) in
                guard let count = Self.scriptNameLength(entry.name) else { return }
                guard let size = try Self.regularSize(entry, sizes: sizes) else { return }
                let name = UnsafeBufferPointer(rebasing: entry.name[..<count])
                spans.append(NameSpan(name, start: bytes.count, size: size))
                bytes.append(contentsOf: name)
            }
        }
        return bytes.withUnsafeBufferPointer { buffer in
            if let base = buffer.baseAddress {
                spans.sort { a, b in a.precedes(b, in: base) }
            }
            var result: [T] = []
            result.reserveCapacity(spans.count)
            for span in spans {
                let name = UnsafeBufferPointer(rebasing: buffer[span.start..<span.start + span.count])
                guard Self.isUTF8(name), let made = make(String(decoding: name, as: UTF8.self), span.size) else {
                    continue
                }
                result.append(made)
            }
            return result
        }
    }

    /// What the quota counts: the scripts, their total size (saturating), and the size of `fileName` if it is
    /// one of them. One pass, no String per entry, an fstatat per script only when `sizes` is set.
    /// With `removingStale`, leftover temporary files (`.….tmp`) of dead sessions are removed on the way.
    func usage(
        in directory: DirectoryHandle, of fileName: String, sizes: Bool, removingStale: Bool
    ) throws(StorageError) -> (count: UInt64, total: UInt64, existing: UInt64?) {
        var count: UInt64 = 0
        var total: UInt64 = 0
        var existing: UInt64?
        var temporaries: [String] = []
        let target = Array(fileName.utf8)
        try Self.io { () throws(SystemError) in
            try directory.scan { entry throws(SystemError) in
                let name = entry.name
                guard Self.scriptNameLength(name) != nil else {
                    if removingStale, name.count > 4, name[0] == UInt8(ascii: "."),
                        name[name.count - 4] == UInt8(ascii: "."), entry.kind == nil || entry.kind == .regular
                    {
                        let text = String(decoding: name, as: UTF8.self)
                        if text.hasSuffix(Self.temporarySuffix) { temporaries.append(text) }
                    }
                    return
                }
                guard let size = try Self.regularSize(entry, sizes: sizes) else { return }
                guard Self.isUTF8(name) else { return }
                count += 1
                let (sum, overflow) = total.addingReportingOverflow(size)
                total = overflow ? .max : sum
                if name.count == target.count, name.elementsEqual(target) { existing = size }
            }
        }
        if !temporaries.isEmpty {
            let now = FileSystem.now()
            for name in temporaries {
                guard let status = try? directory.status(name), status.kind == .regular,
                    Self.isStale(temporary: name, modificationTime: status.modificationTime, now: now)
                else { continue }
                try? directory.unlink(name)
            }
        }
        return (count, total, existing)
    }
}

/// A name in the listing's buffer with its first sixteen octets as two big-endian words (zero-padded), so
/// that most comparisons are two integer compares: a thousand names sharing a prefix like `script0` made a
/// byte loop per comparison most of a listing's time. Names hold no NUL, so the padding orders a prefix
/// before the longer name, as the byte order does.
struct NameSpan {
    let high: UInt64
    let low: UInt64
    let start: Int
    let count: Int
    let size: UInt64

    init(_ name: UnsafeBufferPointer<UInt8>, start: Int, size: UInt64) {
        high = Self.word(name, from: 0)
        low = Self.word(name, from: 8)
        self.start = start
        self.count = name.count
        self.size = size
    }

    private static func word(_ name: UnsafeBufferPointer<UInt8>, from offset: Int) -> UInt64 {
        guard let base = name.baseAddress else { return 0 }
        if name.count >= offset + 8 { return UnsafeRawPointer(base + offset).loadUnaligned(as: UInt64.self).bigEndian }
        var word: UInt64 = 0
        var index = offset
        while index < name.count {
            word |= UInt64(name[index]) << (56 - 8 * (index - offset))
            index += 1
        }
        return word
    }

    /// Byte order of the two names, `base` being the buffer both are in.
    func precedes(_ other: NameSpan, in base: UnsafePointer<UInt8>) -> Bool {
        if high != other.high { return high < other.high }
        if low != other.low { return low < other.low }
        if count <= 16 || other.count <= 16 { return count < other.count }
        let common = min(count, other.count)
        var index = 16
        while index < common {
            let (x, y) = (base[start + index], base[other.start + index])
            if x != y { return x < y }
            index += 1
        }
        return count < other.count
    }
}
