import Glibc
import Posix

/// A passwd-file. It is read once, but parsed lazily: a connection looks up one user, so only the lines
/// that start with that user's name are parsed (a 10,000-user file parsed whole cost ~90 ms per connection).
/// Malformed lines are skipped and reported; they never let anyone in. The first valid line of a user wins.
public struct PasswdFile: Sendable {
    private var text: [UInt8]

    /// The largest passwd-file `load` reads whole (`managesievectl`); the server reads a large file through
    /// `PasswdDatabase` and its index instead.
    public static let maxFileSize = 1 << 30

    /// Keeps the text of a passwd-file; nothing is parsed yet.
    public init(parsing text: [UInt8]) {
        self.text = text
    }

    /// Reads the passwd-file at `path`.
    public static func load(path: String) throws(AuthError) -> PasswdFile {
        do {
            return PasswdFile(parsing: try FileRead.readFile(path: path, maxSize: maxFileSize))
        } catch {
            throw .passwdFileUnreadable(path: path, error)
        }
    }

    /// Keeps only the lines of `user` (the logged-in user, after the privilege drop): every other byte of the
    /// file, other users' password hashes included, is overwritten with zeros in place, so that any other
    /// holder of the same storage (the server's start-up kept the file's array) sees zeros too, and released.
    public mutating func keepOnly(_ user: String) {
        var kept: [UInt8] = []
        if !user.isEmpty {
            forEachLine(startingWith: Array(user.utf8) + [0x3A]) { _, line in
                kept.append(contentsOf: line)
                kept.append(0x0A)
            }
        }
        text.withUnsafeBufferPointer { buffer in
            // Through the shared storage on purpose: a copy-on-write copy would leave the original intact.
            if let base = buffer.baseAddress { memset(UnsafeMutableRawPointer(mutating: base), 0, buffer.count) }
        }
        text = kept
    }

    /// The entry for exactly this user name, if any.
    public func entry(for user: String) -> PasswdEntry? { lookup(user).entry }

    /// The entry for `user` and the problems of the lines that name that user (skipped malformed lines,
    /// ignored duplicates), for the log.
    public func lookup(_ user: String) -> (entry: PasswdEntry?, problems: [(line: Int, message: String)]) {
        let prefix = Array(user.utf8) + [0x3A]
        guard !user.isEmpty else { return (nil, []) }
        var lines: [(line: Int, bytes: ArraySlice<UInt8>)] = []
        forEachLine(startingWith: prefix) { lines.append(($0, $1)) }
        return Self.pick(user, from: lines)
    }

    /// `lookup`'s rules over the lines that start with `user:` (numbered, CR stripped): malformed lines are
    /// reported, the first valid one wins, later ones are reported as duplicates.
    static func pick(
        _ user: String, from lines: [(line: Int, bytes: ArraySlice<UInt8>)]
    ) -> (entry: PasswdEntry?, problems: [(line: Int, message: String)]) {
        var found: PasswdEntry?
        var firstLine = 0
        var problems: [(line: Int, message: String)] = []
        for (lineNumber, bytes) in lines {
            switch Self.parseLine(bytes) {
            case .failure(let problem):
                problems.append((lineNumber, problem.message))
            case .success(let entry):
                if found == nil {
                    found = entry
                    firstLine = lineNumber
                } else {
                    problems.append((lineNumber, "duplicate user '\(user)' (first on line \(firstLine)); line ignored"))
                }
            }
        }
        return (found, problems)
    }

    /// Whether any line carries a SCRAM or cleartext scheme marker (`mayServeSCRAM` over this text).
    public var mayServeSCRAM: Bool { text.withUnsafeBytes(Self.mayServeSCRAM) }

    /// False when `canServe` is false for every hash, judged from the raw bytes without parsing anything: no
    /// SCRAM credential and no cleartext scheme occurs in the text. True means "perhaps"; `canServe` decides.
    /// All three markers start with `{`, so the text is searched once, for that byte.
    public static func mayServeSCRAM(_ text: UnsafeRawBufferPointer) -> Bool {
        guard let base = text.baseAddress else { return false }
        func matches(_ needle: StaticString, at position: Int) -> Bool {
            let count = needle.utf8CodeUnitCount
            return position + count <= text.count && memcmp(base + position, needle.utf8Start, count) == 0
        }
        var from = 0
        while from < text.count, let hit = memchr(base + from, 0x7B, text.count - from) {
            let position = UnsafeRawPointer(hit) - base
            if matches("{SCRAM-", at: position) || matches("{PLAIN}", at: position)
                || matches("{CLEARTEXT}", at: position)
            {
                return true
            }
            from = position + 1
        }
        return false
    }

    /// True when at least one user could log in with SCRAM using this hash: a stored credential of that hash
    /// or a cleartext password. Only lines whose password field carries such a scheme are parsed (the same
    /// schemes `mayServeSCRAM` looks for).
    public func canServe(_ hash: SCRAMHash) -> Bool {
        var result = false
        // The three markers one after the other, not as an array literal: a process's first array of strings
        // costs the greeting's start-up more than the search.
        func search(_ marker: String) {
            forEachLine(containing: Array(marker.utf8)) { _, bytes in
                guard !result, case .success(let entry) = Self.parseLine(bytes) else { return }
                if let credentials = SCRAMCredentials(passwordField: entry.password) {
                    result = credentials.hash == hash
                } else if case (let scheme?, let data) = PasswordVerifier.split(entry.password),
                    scheme == "PLAIN" || scheme == "CLEARTEXT", !data.isEmpty
                {
                    result = true
                }
            }
        }
        search(hash.tag)
        if !result { search("{PLAIN}") }
        if !result { search("{CLEARTEXT}") }
        return result
    }

    /// The iteration count of the first well-formed stored credential of `hash` (what SCRAM shows for users
    /// without one, so that they look like the real entries); nil when no entry stores one.
    public func scramIterations(_ hash: SCRAMHash) -> Int? {
        var result: Int?
        forEachLine(containing: Array(hash.tag.utf8)) { _, bytes in
            guard result == nil, case .success(let entry) = Self.parseLine(bytes),
                let credentials = SCRAMCredentials(passwordField: entry.password), credentials.hash == hash
            else { return }
            result = credentials.iterations
        }
        return result
    }

    /// Every skipped or doubtful line of the whole file, with its 1-based number (for `managesievectl config`).
    public var problems: [(line: Int, message: String)] { parseAll().problems }

    /// How many users the file defines.
    public var count: Int { parseAll().users }

    /// Calls `body` with every well-formed entry and its 1-based line number, duplicates included (for
    /// `managesievectl config`, which checks each password field's scheme).
    public func forEachEntry(_ body: (_ line: Int, _ entry: PasswdEntry) -> Void) {
        forEachLine(startingWith: []) { lineNumber, bytes in
            if case .success(let entry) = Self.parseLine(bytes) { body(lineNumber, entry) }
        }
    }

    private func parseAll() -> (users: Int, problems: [(line: Int, message: String)]) {
        var firstLine: [String: Int] = [:]
        var problems: [(line: Int, message: String)] = []
        forEachLine(startingWith: []) { lineNumber, bytes in
            switch Self.parseLine(bytes) {
            case .failure(let problem):
                problems.append((lineNumber, problem.message))
            case .success(let entry):
                if let first = firstLine[entry.user] {
                    problems.append(
                        (lineNumber, "duplicate user '\(entry.user)' (first on line \(first)); line ignored"))
                } else {
                    firstLine[entry.user] = lineNumber
                }
            }
        }
        return (firstLine.count, problems)
    }

    /// Calls `body` with each non-blank, non-comment line (CR stripped) that starts with `prefix`.
    private func forEachLine(startingWith prefix: [UInt8], _ body: (Int, ArraySlice<UInt8>) -> Void) {
        var matches: [(line: Int, range: Range<Int>)] = []
        text.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            let end = buffer.count
            var start = 0
            var lineNumber = 0
            while start < end {
                lineNumber += 1
                let newline =
                    memchr(base + start, 0x0A, end - start).map { UnsafeRawPointer($0) - UnsafeRawPointer(base) }
                    ?? end
                if newline - start >= prefix.count
                    && (prefix.isEmpty || memcmp(base + start, prefix, prefix.count) == 0)
                {
                    matches.append((lineNumber, start..<newline))
                }
                start = newline + 1
            }
        }
        for match in matches {
            var bytes = text[match.range]
            if bytes.last == 0x0D { bytes = bytes.dropLast() }
            let content = bytes.drop { $0 == 0x20 || $0 == 0x09 }
            if !content.isEmpty && content.first != 0x23 { body(match.line, bytes) }
        }
    }

    /// Calls `body` with each non-comment line that contains `needle` right after a ':' (a field start),
    /// and its 1-based number. `needle` should start with a rare byte ('{'): memchr finds its candidates.
    private func forEachLine(containing needle: [UInt8], _ body: (Int, ArraySlice<UInt8>) -> Void) {
        guard !needle.isEmpty else { return }
        var matches: [Range<Int>] = []
        text.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            let end = buffer.count
            var from = 0
            while from + needle.count <= end,
                let hit = memchr(base + from, Int32(needle[0]), end - from - needle.count + 1)
            {
                let position = UnsafeRawPointer(hit) - UnsafeRawPointer(base)
                guard position > 0, base[position - 1] == 0x3A, memcmp(base + position, needle, needle.count) == 0
                else {
                    from = position + 1
                    continue
                }
                var lineStart = position
                while lineStart > 0 && base[lineStart - 1] != 0x0A { lineStart -= 1 }
                let lineEnd =
                    memchr(base + position, 0x0A, end - position).map { UnsafeRawPointer($0) - UnsafeRawPointer(base) }
                    ?? end
                matches.append(lineStart..<lineEnd)
                from = lineEnd + 1
            }
        }
        for range in matches {
            var bytes = text[range]
            if bytes.last == 0x0D { bytes = bytes.dropLast() }
            guard bytes.first != 0x23 else { continue }
            let lineNumber = text[..<range.lowerBound].reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
            body(lineNumber, bytes)
        }
    }

    struct LineProblem: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }

    /// `user:password:uid:gid[:gecos[:home[:shell[:extra_fields]]]]`; extra fields may contain ':'.
    /// Split on the octets ':', blank and '=', never on Swift Characters: a combining mark after a ':' or a
    /// prepended-concatenation mark (U+0600…U+0605) before one makes a grapheme cluster that is not ':', and
    /// a name ending in such a mark would otherwise swallow the next field.
    static func parseLine(_ bytes: ArraySlice<UInt8>) -> Result<PasswdEntry, LineProblem> {
        guard String(validating: bytes, as: UTF8.self) != nil else { return .failure(LineProblem("invalid UTF-8")) }
        // Splitting valid UTF-8 at an ASCII octet leaves valid UTF-8 on both sides.
        var fields: [String] = []
        var fieldStart = bytes.startIndex
        var index = bytes.startIndex
        while index < bytes.endIndex, fields.count < 7 {
            if bytes[index] == 0x3A {
                fields.append(String(decoding: bytes[fieldStart..<index], as: UTF8.self))
                fieldStart = index + 1
            }
            index += 1
        }
        fields.append(String(decoding: bytes[fieldStart...], as: UTF8.self))
        guard fields.count >= 4 else {
            return .failure(LineProblem("too few fields (expected user:password:uid:gid[:gecos:home:shell:extra])"))
        }
        let user = fields[0]
        guard !user.isEmpty else { return .failure(LineProblem("empty user name")) }
        guard !user.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else {
            return .failure(LineProblem("user name contains blanks or control characters"))
        }
        guard let uid = number(fields[2]) else {
            return .failure(LineProblem("invalid uid '\(fields[2])' for user '\(user)' (expected a number)"))
        }
        guard let gid = number(fields[3]) else {
            return .failure(LineProblem("invalid gid '\(fields[3])' for user '\(user)' (expected a number)"))
        }
        var extra: [String: String] = [:]
        var flags: Set<String> = []
        if fields.count > 7 {
            for word in Array(fields[7].utf8).split(whereSeparator: { $0 == 0x20 || $0 == 0x09 }) {
                if let equals = word.firstIndex(of: 0x3D) {
                    var key = word[..<equals]
                    if key.starts(with: "userdb_".utf8) { key = key.dropFirst("userdb_".utf8.count) }
                    extra[String(decoding: key, as: UTF8.self)] = String(decoding: word[(equals + 1)...], as: UTF8.self)
                } else {
                    flags.insert(String(decoding: word, as: UTF8.self))
                }
            }
        }
        if let groups = extra["groups"],
            Array(groups.utf8).split(separator: 0x2C, omittingEmptySubsequences: false).contains(where: {
                number(String(decoding: $0, as: UTF8.self)) == nil
            })
        {
            return .failure(
                LineProblem("invalid groups '\(groups)' for user '\(user)' (expected numeric gids separated by commas)")
            )
        }
        return .success(
            PasswdEntry(
                user: user, password: fields[1], uid: uid, gid: gid,
                gecos: fields.count > 4 ? fields[4] : "", home: fields.count > 5 ? fields[5] : "",
                shell: fields.count > 6 ? fields[6] : "", extraFields: extra, flags: flags))
    }

    private static func number(_ text: String) -> UInt32? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return UInt32(text)
    }
}
