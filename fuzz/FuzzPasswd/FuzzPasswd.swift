import Auth
import FuzzSupport
import ManageSieveServer

// Fuzz target for the passwd-file parser (Dovecot's `user:password:uid:gid:gecos:home:shell:extra_fields`,
// written by admins and by scripts) and the proxy fields read from its extra fields.
//
// Checks, for every input: no crash or hang; every name that starts a line is looked up, and a found entry
// carries exactly that name, is found again identically, and its fields hold no line break; the number of
// users and the problems agree with what the lookups found (problems name lines inside the file); the proxy
// fields of every entry parse or are refused with a reason, never trap.

func fuzzOne(_ input: [UInt8]) {
    let file = PasswdFile(parsing: input)
    let lines = input.split(separator: 0x0A, omittingEmptySubsequences: false)
    var found = Set<String>()
    for line in lines.prefix(64) {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
        let name = String(decoding: line[line.startIndex..<colon], as: UTF8.self)
        let (entry, problems) = file.lookup(name)
        for problem in problems where problem.line < 1 || problem.line > lines.count {
            fatalError("problem on line \(problem.line) of \(lines.count)")
        }
        guard let entry else { continue }
        guard entry.user == name else { fatalError("lookup(\(name)) returned \(entry.user)") }
        guard file.entry(for: name) == entry else { fatalError("a second lookup of \(name) differs") }
        for field in [entry.password, entry.gecos, entry.home, entry.shell] where field.utf8.contains(0x0A) {
            fatalError("a field of \(name) holds a line break")
        }
        _ = entry.supplementaryGroups
        found.insert(name)
        if entry.flags.contains("proxy") || entry.flags.contains("proxy_maybe") {
            if let target = try? ProxyTarget(entry: entry) {
                guard !target.host.isEmpty, target.port > 0, target.timeoutMilliseconds > 0 else {
                    fatalError("accepted proxy target \(target) for \(name)")
                }
                _ = target.endpoint
            }
        }
    }
    if found.count > file.count { fatalError("found \(found.count) users, the file counts \(file.count)") }
    for problem in file.problems where problem.line < 1 || problem.line > lines.count {
        fatalError("problem on line \(problem.line) of \(lines.count)")
    }
}

fuzzMain(name: "FuzzPasswd", fuzzOne)
