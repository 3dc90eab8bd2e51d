import SieveCompiler
import SieveMessage

/// Executes a compiled script against a message, as a dry run: nothing is delivered, the result says what
/// would be. Pure: regex matching, charset conversion, the clock and included scripts come from the
/// `InterpreterContext`.
///
/// Semantics follow RFC 5228 §2.10 and Pigeonhole: the implicit keep is cancelled by keep, fileinto,
/// redirect (without :copy), discard and reject; storing to the same folder twice is one action with the
/// later flags, redirecting to the same address twice is one redirect; a runtime error discards every action
/// and leaves the implicit keep.
public struct Interpreter: Sendable {
    public let context: InterpreterContext

    public init(context: InterpreterContext) { self.context = context }

    public func run(_ script: ExecutableScript, message: Message) -> RunResult {
        let run = Execution(context: context, message: message)
        var scope = Scope(requires: script.requires)
        do {
            try run.execute(script.commands, &scope)
        } catch {
            switch error {
            case .stop, .returned: break
            case .failure(let text): run.errors.append(text)
            }
        }
        return run.result()
    }
}

/// How execution leaves a block early.
enum Flow: Error {
    case stop
    case returned
    case failure(String)
}

/// One script's variables and the extensions it required (each included script has its own).
struct Scope {
    let requires: Set<String>
    var locals: [String: [UInt8]] = [:]
    var globalNames: Set<String> = []
    var matchValues: [[UInt8]] = []
    /// The MIME part `foreverypart` is at (0: the message).
    var part = 0

    /// Whether the script requires "variables" (asked for every string a command or test expands: kept
    /// rather than hashed each time).
    let variables: Bool

    init(requires: Set<String>) {
        self.requires = requires
        variables = requires.contains("variables")
    }
}

/// One store, redirect, … as collected (merged into `Action`s at the end).
enum Entry {
    case store(mailbox: String, flags: [String], copy: Bool, create: Bool, isKeep: Bool)
    case redirect(address: String, copy: Bool)
    case discard
    case reject(reason: String, extended: Bool)
    case vacation(Action.Vacation)
    case notify(Action.Notification)
    case notifyDeprecated(Action.DeprecatedNotification)
}

final class Execution {
    let context: InterpreterContext
    var message: Message
    var entries: [Entry] = []
    var implicitKeep = true
    /// imap4flags' internal variable.
    var flags: [String] = []
    var errors: [String] = []
    var warnings: [String] = []
    var trace: [String] = []
    var globals: [String: [UInt8]] = [:]
    var includedOnce: Set<String> = []
    /// Per-field caches of the message header, by field index (cleared when editheader changes it). Arrays
    /// rather than dictionaries: the first [Int: …] of a run cost a scan of every conformance record.
    var decodedValues: [[UInt8]?] = []
    var addressLists: [[MailAddress]?] = []
    var includeDepth = 0

    /// Pigeonhole's sieve_variables_max_variable_size.
    static let maxValueSize = 4096

    init(context: InterpreterContext, message: Message) {
        self.context = context
        self.message = message
    }

    func note(_ line: Int, _ text: @autoclosure () -> String) {
        if context.trace { trace.append("line \(line): \(text())") }
    }

    func result() -> RunResult {
        if !errors.isEmpty {
            return RunResult(
                actions: [], implicitKeep: true, implicitKeepFlags: [], errors: errors, warnings: warnings, trace: trace
            )
        }
        var actions: [Action] = []
        for entry in entries {
            switch entry {
            case .store(let mailbox, let flags, let copy, let create, let isKeep):
                if isKeep || (mailbox == "INBOX" && !copy && !create && isKeep) {
                    actions.append(.keep(flags: flags))
                } else {
                    actions.append(.fileinto(mailbox: mailbox, flags: flags, copy: copy, create: create))
                }
            case .redirect(let address, let copy): actions.append(.redirect(address: address, copy: copy))
            case .discard: actions.append(.discard)
            case .reject(let reason, let extended):
                actions.append(extended ? .ereject(reason: reason) : .reject(reason: reason))
            case .vacation(let v): actions.append(.vacation(v))
            case .notify(let n): actions.append(.notify(n))
            case .notifyDeprecated(let n): actions.append(.notifyDeprecated(n))
            }
        }
        return RunResult(
            actions: actions, implicitKeep: implicitKeep, implicitKeepFlags: implicitKeep ? flags : [], errors: [],
            warnings: warnings, trace: trace)
    }

    // MARK: Commands

    func execute(_ commands: [ScriptNode], _ scope: inout Scope) throws(Flow) {
        var previousMatched = false
        var inChain = false
        for command in commands {
            switch command.name {
            case "if":
                let ok = try test(command.tests[0], &scope)
                note(command.line, "if: \(ok ? "true, block runs" : "false")")
                previousMatched = ok
                inChain = true
                if ok { try execute(command.block ?? [], &scope) }
                continue
            case "elsif":
                guard inChain, !previousMatched else {
                    note(command.line, "elsif: skipped (an earlier branch ran)")
                    continue
                }
                let ok = try test(command.tests[0], &scope)
                note(command.line, "elsif: \(ok ? "true, block runs" : "false")")
                previousMatched = ok
                if ok { try execute(command.block ?? [], &scope) }
                continue
            case "else":
                if inChain && !previousMatched {
                    note(command.line, "else: block runs")
                    try execute(command.block ?? [], &scope)
                } else {
                    note(command.line, "else: skipped (an earlier branch ran)")
                }
                inChain = false
                continue
            default:
                inChain = false
            }
            try perform(command, &scope)
        }
    }

    private func perform(_ command: ScriptNode, _ scope: inout Scope) throws(Flow) {
        let args = Arguments(command.arguments)
        let line = command.line
        switch command.name {
        case "require":
            break
        case "stop":
            note(line, "stop")
            throw .stop
        case "return":
            note(line, "return")
            throw .returned
        case "keep":
            let f = try actionFlags(args, &scope)
            note(line, "keep" + flagNote(f))
            try store(mailbox: "INBOX", flags: f, copy: false, create: false, isKeep: true, line: line)
        case "discard":
            note(line, "discard")
            implicitKeep = false
            if !entries.contains(where: { if case .discard = $0 { return true } else { return false } }) {
                try add(.discard)
            }
        case "fileinto":
            let mailboxBytes = expand(args.strings(at: 0).first ?? [], &scope)
            guard let mailbox = String(validating: mailboxBytes, as: UTF8.self) else {
                throw .failure("line \(line): the mailbox name is not valid UTF-8")
            }
            let f = try actionFlags(args, &scope)
            note(line, "fileinto \"\(mailbox)\"" + flagNote(f) + (args.has("copy") ? " :copy" : ""))
            try store(
                mailbox: mailbox, flags: f, copy: args.has("copy"), create: args.has("create"), isKeep: false,
                line: line)
        case "redirect":
            let raw = expand(args.strings(at: 0).first ?? [], &scope)
            guard let address = Execution.redirectAddress(raw) else {
                throw .failure(
                    "line \(line): specified redirect address '\(String(decoding: raw, as: UTF8.self))' is invalid")
            }
            let copy = args.has("copy")
            note(line, "redirect to <\(address)>" + (copy ? " :copy" : ""))
            if !copy { implicitKeep = false }
            if let existing = entries.firstIndex(where: {
                if case .redirect(let a, _) = $0 { return a == address } else { return false }
            }) {
                if case .redirect(_, let wasCopy) = entries[existing] {
                    entries[existing] = .redirect(address: address, copy: wasCopy && copy)
                }
            } else {
                let count = entries.filter { if case .redirect = $0 { return true } else { return false } }.count
                if count >= context.maxRedirects {
                    throw .failure("line \(line): number of redirect actions exceeds policy limit")
                }
                try add(.redirect(address: address, copy: copy))
            }
        case "reject", "ereject":
            let reason = String(decoding: expand(args.strings(at: 0).first ?? [], &scope), as: UTF8.self)
            note(line, "\(command.name) \"\(reason)\"")
            if entries.contains(where: Execution.conflictsWithReject) {
                throw .failure("line \(line): reject action conflicts with other actions")
            }
            if entries.contains(where: { if case .reject = $0 { return true } else { return false } }) {
                throw .failure("line \(line): duplicate reject action")
            }
            implicitKeep = false
            try add(.reject(reason: reason, extended: command.name == "ereject"))
        case "set":
            try set(args, &scope, line: line)
        case "global":
            for name in args.strings(at: 0) { scope.globalNames.insert(Execution.lowerName(name)) }
        case "setflag", "addflag", "removeflag":
            try changeFlags(command.name, args, &scope, line: line)
        case "mark", "unmark":
            // The deprecated imapflags draft: addflag/removeflag of \Flagged on the internal variable.
            var flagArgs = args
            flagArgs.positional = [.string(Array("\\Flagged".utf8))]
            try changeFlags(command.name == "mark" ? "addflag" : "removeflag", flagArgs, &scope, line: line)
        case "vacation":
            try vacation(args, &scope, line: line)
        case "denotify":
            denotify(args, &scope, line: line)
        case "notify":
            try notify(args, &scope, line: line)
        case "addheader":
            let name = String(decoding: expand(args.strings(at: 0).first ?? [], &scope), as: UTF8.self)
            let value = expand(args.strings(at: 1).first ?? [], &scope)
            note(line, "addheader \"\(name)\"")
            var headers = message.parts[0].headers
            let field = HeaderField(name: name, value: value)
            if args.has("last") { headers.append(field) } else { headers.insert(field, at: 0) }
            setHeaders(headers)
        case "deleteheader":
            try deleteHeader(args, &scope, line: line)
        case "include":
            try include(args, &scope, line: line)
        case "foreverypart":
            try forEveryPart(command, &scope)
        case "extracttext":
            try extractText(args, &scope, line: line)
        case "break":
            note(line, "break")
            throw .returned
        default:
            note(line, "\(command.name): not executed in a dry run")
        }
    }

    /// editheader's changes: later tests see them, and the per-field caches no longer apply.
    func setHeaders(_ headers: [HeaderField]) {
        message.setHeaders(headers)
        decodedValues.removeAll()
        addressLists.removeAll()
    }

    private static func conflictsWithReject(_ entry: Entry) -> Bool {
        switch entry {
        case .store, .redirect, .vacation: return true
        default: return false
        }
    }

    private func add(_ entry: Entry) throws(Flow) {
        if entries.count >= context.maxActions {
            throw .failure("total number of actions exceeds policy limit (\(context.maxActions))")
        }
        entries.append(entry)
    }

    private func flagNote(_ f: [String]) -> String { f.isEmpty ? "" : " flags " + f.joined(separator: " ") }

    private func store(
        mailbox: String, flags f: [String], copy: Bool, create: Bool, isKeep: Bool, line: Int
    ) throws(Flow) {
        if !copy { implicitKeep = false }
        if entries.contains(where: { if case .reject = $0 { return true } else { return false } }) {
            throw .failure("line \(line): store action conflicts with reject")
        }
        // INBOX is one folder whatever its case (RFC 3501 §5.1); other names are compared as written.
        let isInbox = mailbox.lowercased() == "inbox"
        if let existing = entries.firstIndex(where: {
            if case .store(let m, _, _, _, _) = $0 { return m == mailbox || (isInbox && m.lowercased() == "inbox") }
            return false
        }) {
            if case .store(let m, _, let c, let cr, let k) = entries[existing] {
                entries[existing] = .store(mailbox: m, flags: f, copy: c && copy, create: cr || create, isKeep: k)
            }
            return
        }
        try add(.store(mailbox: mailbox, flags: f, copy: copy, create: create, isKeep: isKeep))
    }

    /// The flags a keep/fileinto stores with: `:flags` if given, else imap4flags' internal variable.
    private func actionFlags(_ args: Arguments, _ scope: inout Scope) throws(Flow) -> [String] {
        if let list = args.strings("flags") {
            var result: [String] = []
            for item in list { Execution.addFlags(String(decoding: expand(item, &scope), as: UTF8.self), to: &result) }
            return result
        }
        return scope.requires.contains("imap4flags") || scope.requires.contains("imapflags") ? flags : []
    }

    /// Adds space-separated flags, skipping ones already there (compared case-insensitively).
    static func addFlags(_ text: String, to list: inout [String]) {
        for flag in text.split(separator: " ").map(String.init) where !flag.isEmpty {
            if !list.contains(where: { $0.lowercased() == flag.lowercased() }) { list.append(flag) }
        }
    }

    /// redirect's address: one mailbox (a display name allowed), its domain lower-cased.
    static func redirectAddress(_ raw: [UInt8]) -> String? {
        let parsed = AddressList.parse(raw)
        guard parsed.count == 1, let domain = parsed[0].domain, !domain.isEmpty, !parsed[0].localPart.isEmpty,
            domain.last != 0x2E, domain.first != 0x2E
        else { return nil }
        let lowered = domain.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        return String(decoding: parsed[0].localPart + [0x40] + lowered, as: UTF8.self)
    }

    static func lowerName(_ name: [UInt8]) -> String {
        String(decoding: name.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
    }
}
