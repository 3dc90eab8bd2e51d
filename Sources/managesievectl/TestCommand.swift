import ArgumentParser
import Config
import Glibc
import Posix
import ServerConfiguration
import SieveCompiler
import SieveInterpreter
import SieveMessage

/// `managesievectl test [options] SCRIPT MESSAGE`: a dry run of a Sieve script against a message. Prints the
/// actions the script would take (or one JSON object with `--json`), and with `--trace` why: every command
/// and test executed, with what it compared. Nothing is delivered.
struct TestCommand: ParsableCommand {
    // The super-command name: `managesievectl test …` parses this command as the root (ManageSieveCtl.main).
    static let configuration = CommandConfiguration(
        commandName: "test",
        _superCommandName: "managesievectl",
        abstract: "Run a Sieve script against a message without delivering it.",
        discussion: """
            Lists the actions SCRIPT would take for MESSAGE (a file with the message as delivered) and whether \
            the implicit keep applies. The extensions are the configuration's sieve_extensions (as for check). \
            --json prints one object: {"actions": [...], "implicit_keep": B, "implicit_keep_flags": [...], \
            "error": B}. --trace prints, for every command and test executed, its line, what it compared and \
            the outcome. Exits 0 on success, 1 on a compile or runtime error (the implicit keep applies), 64 on \
            usage errors.
            """
    )

    @Option(name: [.customShort("c"), .customLong("config")], help: "The configuration file.")
    var configFile: String?

    @Option(name: .customLong("envelope-from"), help: "The envelope sender ('' or '<>': the null sender).")
    var envelopeFrom: String?

    @Option(name: .customLong("envelope-to"), help: "The envelope recipient (and original recipient).")
    var envelopeTo: String?

    @Option(
        name: .customLong("personal-dir"),
        help: "Where personal :include scripts are (default: the script's directory).")
    var personalDir: String?

    @Option(name: .customLong("global-dir"), help: "Where :global include scripts are.")
    var globalDir: String?

    @Option(name: .customLong("mailbox"), help: "A folder that exists (mailboxexists); repeat for more.")
    var mailboxes: [String] = []

    @Option(
        name: .customLong("now"),
        help: "The current time: seconds since the epoch, YYYY-MM-DDTHH:MM:SS[Z|±HH:MM] or an RFC 5322 date.")
    var now: String?

    @Option(
        name: .customLong("duplicate-seen"),
        help: "A unique id the duplicate test finds as seen before (:uniqueid, else the :header or Message-ID value).")
    var duplicateSeen: [String] = []

    @Option(
        name: .customLong("batch"),
        help: "A file listing messages, one path a line ('-': standard input), run after any given as arguments.")
    var batchFile: String?

    @Flag(name: .customLong("json"), help: "Print one JSON object.")
    var json = false

    @Flag(name: .customLong("trace"), help: "Print every command and test executed and what it compared.")
    var trace = false

    @Argument(help: "The Sieve script.")
    var script: String

    @Argument(help: "The message (several: a batch, one result per message, the script compiled once).")
    var messages: [String] = []

    func run() throws { try options.run() }

    var options: TestRun {
        TestRun(
            configFile: configFile, envelopeFrom: envelopeFrom, envelopeTo: envelopeTo, personalDir: personalDir,
            globalDir: globalDir, mailboxes: mailboxes, now: now, duplicateSeen: duplicateSeen, batchFile: batchFile,
            json: json, trace: trace, script: script, messages: messages)
    }
}

/// A dry run's options as plain values, and the run itself. The argument parser fills them through
/// `TestCommand`; `parse` reads the plain forms without it (ManageSieveCtl.main).
struct TestRun: Equatable {
    var configFile: String?
    var envelopeFrom: String?
    var envelopeTo: String?
    var personalDir: String?
    var globalDir: String?
    var mailboxes: [String] = []
    var now: String?
    var duplicateSeen: [String] = []
    var batchFile: String?
    var json = false
    var trace = false
    var script: String
    var messages: [String] = []

    /// `arguments` (the words after `test`) when every one is in a form the argument parser reads the same
    /// way: `--NAME VALUE`, `--NAME=VALUE` and `-c VALUE` for TestCommand's options (each single-valued one at
    /// most once), `--json`, `--trace`, and words that do not start with '-' (the script, then the messages).
    /// Anything else is nil (help, `--`, an unknown option, a value that is empty or starts with '-', a
    /// repeated flag or single-valued option, no script), and the argument parser takes the words, with its messages and help.
    /// Its first parse costs more than the whole run: every new type it meets is a scan of every
    /// protocol-conformance record in the binary, and it reflects over the command's properties.
    static func parse(_ arguments: [String]) -> TestRun? {
        var single: [String: String] = [:]
        var mailboxes: [String] = []
        var duplicateSeen: [String] = []
        var json = false
        var trace = false
        var positional: [String] = []
        var index = 0
        while index < arguments.count {
            let word = arguments[index]
            index += 1
            guard word.utf8.first == UInt8(ascii: "-") else {
                positional.append(word)
                continue
            }
            if word == "--json" || word == "--trace" {
                guard !(word == "--json" ? json : trace) else { return nil }
                if word == "--json" { json = true } else { trace = true }
                continue
            }
            var name = word
            var value: String
            if let equals = word.utf8.firstIndex(of: UInt8(ascii: "=")), word.hasPrefix("--") {
                name = String(word[..<equals])
                value = String(word[word.index(after: equals)...])
            } else {
                guard index < arguments.count else { return nil }
                value = arguments[index]
                index += 1
            }
            if name == "-c" && word == "-c" { name = "--config" }
            guard let first = value.utf8.first, first != UInt8(ascii: "-") else { return nil }
            switch name {
            case "--mailbox": mailboxes.append(value)
            case "--duplicate-seen": duplicateSeen.append(value)
            case "--config", "--envelope-from", "--envelope-to", "--personal-dir", "--global-dir", "--now", "--batch":
                guard single.updateValue(value, forKey: name) == nil else { return nil }
            default: return nil
            }
        }
        guard let script = positional.first else { return nil }
        return TestRun(
            configFile: single["--config"], envelopeFrom: single["--envelope-from"],
            envelopeTo: single["--envelope-to"], personalDir: single["--personal-dir"],
            globalDir: single["--global-dir"], mailboxes: mailboxes, now: single["--now"],
            duplicateSeen: duplicateSeen, batchFile: single["--batch"], json: json, trace: trace, script: script,
            messages: Array(positional.dropFirst()))
    }

    static func usage(_ message: String) -> ExitCode {
        Output.error("managesievectl test: \(message)\n")
        return ExitStatus.usage
    }

    func run() throws {
        var messages = self.messages
        if let batchFile {
            let limit = 1 << 30
            let data: [UInt8]?
            if batchFile == "-" {
                data = Output.readStandardInput(limit: limit)
            } else {
                data = try? FileRead.readFile(path: batchFile, maxSize: limit)
            }
            guard let data else { throw Self.usage("cannot read the batch list \(batchFile)") }
            messages += data.split(separator: 0x0A).map { String(decoding: $0, as: UTF8.self) }.filter { !$0.isEmpty }
        }
        guard !messages.isEmpty else { throw Self.usage("no message given") }
        let options = try compileOptions()
        guard
            let scriptBytes = try? FileRead.readFile(path: script, maxSize: max(options.limits.maxScriptSize, 1 << 20))
        else { throw Self.usage("cannot read the script \(script)") }
        let compiler = SieveCompiler(options: options)
        let compiled = compiler.compileForExecution(scriptBytes)
        for diagnostic in compiled.result.diagnostics {
            Output.error((diagnostic.render(fileName: script) + "\n"))
        }
        let batch = messages.count > 1 || batchFile != nil
        guard let executable = compiled.script else {
            for message in messages {
                emit(
                    RunResult(actions: [], implicitKeep: true, implicitKeepFlags: [], errors: ["compile error"]),
                    message: batch ? message : nil)
            }
            throw ExitStatus.failure
        }
        let interpreter = Interpreter(context: try makeContext(options: options))
        let limits = MessageLimits()
        var anyFailed = false
        var last: (bytes: [UInt8], message: Message, result: RunResult)? = nil
        for message in messages {
            guard let messageBytes = try? FileRead.readFile(path: message, maxSize: limits.maxSize + 1) else {
                if !batch { throw Self.usage("cannot read the message \(message)") }
                Output.error("managesievectl test: cannot read the message \(message)\n")
                anyFailed = true
                continue
            }
            let parsed: Message
            do {
                parsed = try Message.parse(messageBytes, limits: limits)
            } catch {
                if !batch { throw Self.usage("\(message): \(error.message)") }
                Output.error("managesievectl test: \(message): \(error.message)\n")
                anyFailed = true
                continue
            }
            let result = interpreter.run(executable, message: parsed)
            // With --json, stdout carries the objects only: the trace goes to stderr.
            for line in result.trace {
                if json { Output.error((line + "\n")) } else { print(line) }
            }
            for warning in result.warnings { Output.error("warning: \(warning)\n") }
            for error in result.errors { Output.error("error: \(error)\n") }
            emit(result, message: batch ? message : nil)
            anyFailed = anyFailed || result.failed
            last = (messageBytes, parsed, result)
        }
        // The process ends with the run: exiting while the compiled script, the interpreter and the last
        // message are still referenced leaves their memory to the kernel instead of freeing it object by
        // object (a tenth of a dry run's instructions). exit(3) flushes standard output.
        withExtendedLifetime((compiled, executable, interpreter, last)) {
            Glibc.exit(anyFailed ? ExitStatus.failure.rawValue : 0)
        }
    }

    private func makeContext(options: CompileOptions) throws -> InterpreterContext {
        let directory = personalDir ?? Self.directory(of: script)
        let global = globalDir
        let instant = try nowDate()
        var context = InterpreterContext(
            envelopeFrom: envelopeFrom.map { $0 == "<>" ? "" : Self.stripAngles($0) },
            envelopeTo: envelopeTo.map(Self.stripAngles), mailboxes: Set(mailboxes), now: instant,
            regex: { [regexes = RegexCache()] pattern, icase, subject in
                regexes.match(pattern: pattern, caseInsensitive: icase, subject: subject)
            },
            charset: { charset, bytes in Iconv.toUTF8(charset: charset, bytes: bytes) },
            loadScript: { name, isGlobal in
                guard !name.contains("/"), let base = isGlobal ? global : directory else { return nil }
                return try? FileRead.readFile(path: base + "/" + name + ".sieve", maxSize: 1 << 20)
            },
            compileOptions: options, maxRedirects: options.maxRedirects)
        context.trace = trace
        context.duplicateSeen = Set(duplicateSeen)
        return context
    }

    /// The directory part of a path ("." for a bare name), as dirname(1).
    static func directory(of path: String) -> String {
        var bytes = Array(path.utf8)
        while bytes.count > 1, bytes.last == 0x2F { bytes.removeLast() }
        guard let slash = bytes.lastIndex(of: 0x2F) else { return "." }
        var end = slash
        while end > 0, bytes[end - 1] == 0x2F { end -= 1 }
        return end == 0 ? "/" : String(decoding: bytes[..<end], as: UTF8.self)
    }

    private static func stripAngles(_ s: String) -> String {
        s.hasPrefix("<") && s.hasSuffix(">") && s.count >= 2 ? String(s.dropFirst().dropLast()) : s
    }

    /// --now, else the clock; the local zone's offset at that instant (a `date` test without :zone uses it).
    private func nowDate() throws -> MessageDate {
        var seconds = Int64(Clock.wallClockMilliseconds() / 1000)
        var explicitZone: Int? = nil
        if let now {
            if let n = Int64(now) {
                seconds = n
            } else if let d = Self.parseISO(now) {
                seconds = d.epochSeconds
                explicitZone = d.zoneMinutes
            } else if let d = MessageDate.parse(Array(now.utf8)) {
                seconds = d.epochSeconds
                explicitZone = d.zoneMinutes
            } else {
                throw Self.usage("--now: '\(now)' is not a time")
            }
        }
        // localtime_r rather than Foundation's TimeZone, whose first use cost a millisecond of a run.
        let local = Clock.localOffsetMinutes(atEpochSeconds: seconds)
        return MessageDate(epochSeconds: seconds, zoneMinutes: explicitZone.map { _ in local } ?? local)
    }

    /// YYYY-MM-DDTHH:MM:SS followed by Z, ±HH:MM or nothing (local time is then taken as UTC).
    static func parseISO(_ s: String) -> MessageDate? {
        let b = Array(s.utf8)
        guard b.count >= 19, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54 || b[10] == 0x20, b[13] == 0x3A, b[16] == 0x3A
        else { return nil }
        func n(_ r: Range<Int>) -> Int? { Int(String(decoding: b[r], as: UTF8.self)) }
        guard let y = n(0..<4), let mo = n(5..<7), let d = n(8..<10), let h = n(11..<13), let mi = n(14..<16),
            let se = n(17..<19)
        else { return nil }
        var zone = 0
        let rest = b[19...]
        if rest.count == 6, rest.first == 0x2B || rest.first == 0x2D, let zh = n(20..<22), let zm = n(23..<25) {
            zone = (zh * 60 + zm) * (rest.first == 0x2D ? -1 : 1)
        } else if !(rest.isEmpty || Array(rest) == [0x5A]) {
            return nil
        }
        let days = MessageDate.days(year: y, month: mo, day: d)
        let local = Int64(days) * 86400 + Int64(h * 3600 + mi * 60 + se)
        return MessageDate(epochSeconds: local - Int64(zone) * 60, zoneMinutes: zone)
    }

    private func compileOptions() throws -> CompileOptions {
        try CheckCommand.options(
            configFile: configFile, extensions: nil, includeProblemsAreErrors: true, usage: Self.usage)
    }

    /// In a batch, each JSON object names its message (an extra key) and each listing is headed by it.
    private func emit(_ result: RunResult, message: String?) {
        if json {
            var object = TestOutput.json(result)
            if let message { object = String(object.dropLast()) + ",\"message\":" + TestOutput.string(message) + "}" }
            print(object)
        } else {
            if let message { print("== \(message)") }
            print(TestOutput.listing(result), terminator: "")
        }
    }
}

/// The two renderings of a run's result.
enum TestOutput {
    static func json(_ result: RunResult) -> String {
        let actions = result.actions.map(actionJSON).joined(separator: ",")
        return "{\"actions\":[\(actions)],\"implicit_keep\":\(result.implicitKeep),"
            + "\"implicit_keep_flags\":\(list(result.implicitKeepFlags)),\"error\":\(result.failed)}"
    }

    static func actionJSON(_ action: Action) -> String {
        switch action {
        case .keep(let flags): return "{\"type\":\"keep\",\"flags\":\(list(flags))}"
        case .fileinto(let mailbox, let flags, let copy, let create):
            return "{\"type\":\"fileinto\",\"mailbox\":\(string(mailbox)),\"flags\":\(list(flags)),"
                + "\"copy\":\(copy),\"create\":\(create)}"
        case .redirect(let address, let copy):
            return "{\"type\":\"redirect\",\"address\":\(string(address)),\"copy\":\(copy)}"
        case .discard: return "{\"type\":\"discard\"}"
        case .reject(let reason): return "{\"type\":\"reject\",\"reason\":\(string(reason))}"
        case .ereject(let reason): return "{\"type\":\"ereject\",\"reason\":\(string(reason))}"
        case .vacation(let v):
            return "{\"type\":\"vacation\",\"seconds\":\(v.seconds),\"subject\":\(optional(v.subject)),"
                + "\"from\":\(optional(v.from)),\"reason\":\(string(v.reason)),\"handle\":\(string(v.handle))}"
        case .notify(let n):
            return "{\"type\":\"notify\",\"method\":\(string(n.method)),\"importance\":\(n.importance),"
                + "\"subject\":\(optional(n.subject)),\"from\":\(optional(n.from)),\"recipients\":\(list(n.recipients)),"
                + "\"headers\":\(list(n.headers)),\"body\":\(optional(n.body))}"
        case .notifyDeprecated(let n):
            return "{\"type\":\"notify_deprecated\",\"importance\":\(n.importance),\"message\":\(optional(n.message)),"
                + "\"id\":\(optional(n.id)),\"recipients\":\(list(n.recipients))}"
        }
    }

    static func listing(_ result: RunResult) -> String {
        var out = ""
        if result.failed {
            out += "Runtime error: no actions; the implicit keep stores the message in INBOX.\n"
            return out
        }
        out += "Actions:\n"
        if result.actions.isEmpty { out += "  (none)\n" }
        for (i, action) in result.actions.enumerated() {
            out += "  \(i + 1). " + describe(action) + "\n"
        }
        out += "Implicit keep: "
        out += result.implicitKeep ? "yes, store in INBOX" + flagText(result.implicitKeepFlags) + "\n" : "no\n"
        return out
    }

    private static func flagText(_ flags: [String]) -> String {
        flags.isEmpty ? "" : " with flags " + flags.joined(separator: " ")
    }

    static func describe(_ action: Action) -> String {
        switch action {
        case .keep(let flags): return "keep: store in INBOX" + flagText(flags)
        case .fileinto(let mailbox, let flags, let copy, let create):
            return "fileinto: store in \"\(mailbox)\"" + flagText(flags) + (copy ? " (copy, keep not cancelled)" : "")
                + (create ? " (create the folder if missing)" : "")
        case .redirect(let address, let copy):
            return "redirect to <\(address)>" + (copy ? " (copy, keep not cancelled)" : "")
        case .discard: return "discard"
        case .reject(let reason): return "reject with reason: \(reason)"
        case .ereject(let reason): return "ereject with reason: \(reason)"
        case .vacation(let v):
            return "vacation reply at most every \(v.seconds) s" + (v.subject.map { ", subject \"\($0)\"" } ?? "")
                + (v.from.map { ", from \($0)" } ?? "") + ": \(v.reason)"
        case .notify(let n):
            return "notify (\(n.method), importance \(n.importance)) \(n.recipients.joined(separator: ", "))"
                + (n.subject.map { ", subject \"\($0)\"" } ?? "")
        case .notifyDeprecated(let n):
            return "notify (deprecated, importance \(n.importance)) \(n.recipients.joined(separator: ", "))"
                + (n.message.map { ": \($0)" } ?? "")
        }
    }

    static func list(_ items: [String]) -> String { "[" + items.map(string).joined(separator: ",") + "]" }
    static func optional(_ s: String?) -> String { s.map(string) ?? "null" }

    /// As every JSON string of the tool (`JSONValue.quote`).
    static func string(_ s: String) -> String {
        var out = ""
        JSONValue.quote(s, into: &out)
        return out
    }
}
