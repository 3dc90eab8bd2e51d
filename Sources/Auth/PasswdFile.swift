import Posix

/// A parsed passwd-file. Malformed lines are skipped and reported in `problems`; they never let anyone in.
public struct PasswdFile: Sendable {
    private let entries: [String: PasswdEntry]
    /// The SCRAM hashes at least one entry can serve (stored credentials of that hash, or a cleartext password).
    private let scramHashes: Set<SCRAMHash>
    /// Skipped or doubtful lines, with their 1-based line numbers, for the log.
    public let problems: [(line: Int, message: String)]

    /// The largest passwd-file `load` accepts.
    public static let maxFileSize = 64 << 20

    /// Parses the text of a passwd-file.
    public init(parsing text: [UInt8]) {
        var entries: [String: PasswdEntry] = [:]
        var firstLine: [String: Int] = [:]
        var problems: [(line: Int, message: String)] = []
        var lineNumber = 0
        for rawLine in text.split(separator: 0x0A, omittingEmptySubsequences: false) {
            lineNumber += 1
            var bytes = rawLine
            if bytes.last == 0x0D { bytes = bytes.dropLast() }
            let content = bytes.drop { $0 == 0x20 || $0 == 0x09 }
            if content.isEmpty || content.first == 0x23 { continue }  // blank or "#" comment
            switch Self.parseLine(bytes) {
            case .failure(let problem):
                problems.append((lineNumber, problem.message))
            case .success(let entry):
                if let first = firstLine[entry.user] {
                    problems.append(
                        (lineNumber, "duplicate user '\(entry.user)' (first on line \(first)); line ignored"))
                } else {
                    firstLine[entry.user] = lineNumber
                    entries[entry.user] = entry
                }
            }
        }
        self.entries = entries
        self.problems = problems
        var hashes: Set<SCRAMHash> = []
        for entry in entries.values {
            if let credentials = SCRAMCredentials(passwordField: entry.password) {
                hashes.insert(credentials.hash)
            } else if case (let scheme?, let data) = PasswordVerifier.split(entry.password),
                scheme == "PLAIN" || scheme == "CLEARTEXT", !data.isEmpty
            {
                hashes.formUnion(SCRAMHash.allCases)
            }
            if hashes.count == SCRAMHash.allCases.count { break }
        }
        scramHashes = hashes
    }

    /// Reads and parses the passwd-file at `path`.
    public static func load(path: String) throws(AuthError) -> PasswdFile {
        do {
            return PasswdFile(parsing: try FileRead.readFile(path: path, maxSize: maxFileSize))
        } catch {
            throw .passwdFileUnreadable(path: path, error)
        }
    }

    /// The entry for exactly this user name, if any.
    public func entry(for user: String) -> PasswdEntry? { entries[user] }

    /// True when at least one user could log in with SCRAM using this hash.
    public func canServe(_ hash: SCRAMHash) -> Bool { scramHashes.contains(hash) }

    /// How many users were read.
    public var count: Int { entries.count }

    struct LineProblem: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }

    /// `user:password:uid:gid[:gecos[:home[:shell[:extra_fields]]]]`; extra fields may contain ':'.
    static func parseLine(_ bytes: ArraySlice<UInt8>) -> Result<PasswdEntry, LineProblem> {
        guard let line = String(validating: bytes, as: UTF8.self) else { return .failure(LineProblem("invalid UTF-8")) }
        let fields = line.split(separator: ":", maxSplits: 7, omittingEmptySubsequences: false).map(String.init)
        guard fields.count >= 4 else {
            return .failure(LineProblem("too few fields (expected user:password:uid:gid[:gecos:home:shell:extra])"))
        }
        let user = fields[0]
        guard !user.isEmpty else { return .failure(LineProblem("empty user name")) }
        guard !user.contains(where: { $0 == " " || $0 == "\t" || ($0.asciiValue ?? 0x20) < 0x20 }) else {
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
            for word in fields[7].split(whereSeparator: { $0 == " " || $0 == "\t" }) {
                if let equals = word.firstIndex(of: "=") {
                    var key = word[..<equals]
                    if key.hasPrefix("userdb_") { key = key.dropFirst("userdb_".count) }
                    extra[String(key)] = String(word[word.index(after: equals)...])
                } else {
                    flags.insert(String(word))
                }
            }
        }
        if let groups = extra["groups"],
            groups.split(separator: ",", omittingEmptySubsequences: false).contains(where: { number(String($0)) == nil }
            )
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
