import SieveCompiler
import SieveMessage

// imap4flags (RFC 5232), vacation (RFC 5230, 6131), enotify (RFC 5435) and the deprecated notify draft,
// editheader (RFC 5293), include (RFC 6609), foreverypart (RFC 5703), date (RFC 5260).

extension Execution {
    func changeFlags(_ name: String, _ args: Arguments, _ scope: inout Scope, line: Int) throws(Flow) {
        let listIndex = args.positional.count > 1 ? 1 : 0
        var given: [String] = []
        for item in args.strings(at: listIndex) {
            Execution.addFlags(String(decoding: expand(item, &scope), as: UTF8.self), to: &given)
        }
        let variable = listIndex == 1 ? Execution.lowerName(expand(args.strings(at: 0).first ?? [], &scope)) : nil
        var current: [String] = []
        if let variable {
            Execution.addFlags(String(decoding: read(variable, &scope), as: UTF8.self), to: &current)
        } else {
            current = flags
        }
        switch name {
        case "setflag": current = given
        case "addflag": for f in given { Execution.addFlags(f, to: &current) }
        default: current.removeAll { f in given.contains { $0.lowercased() == f.lowercased() } }
        }
        note(line, "\(name)\(variable.map { " \"\($0)\"" } ?? ""): flags now \(quoted(current))")
        if let variable {
            assign(variable, Array(current.joined(separator: " ").utf8), &scope)
        } else {
            flags = current
        }
    }

    func vacation(_ args: Arguments, _ scope: inout Scope, line: Int) throws(Flow) {
        if entries.contains(where: { if case .vacation = $0 { return true } else { return false } }) {
            throw .failure("line \(line): duplicate vacation action")
        }
        if entries.contains(where: { if case .reject = $0 { return true } else { return false } }) {
            throw .failure("line \(line): vacation action conflicts with reject")
        }
        var seconds = context.vacationDefaultPeriod
        if let days = args.number("days") { seconds = Int(clamping: days.multipliedReportingOverflow(by: 86400).0) }
        if let s = args.number("seconds") { seconds = Int(clamping: s) }
        if seconds < context.vacationMinPeriod { seconds = context.vacationMinPeriod }
        if context.vacationMaxPeriod > 0 && seconds > context.vacationMaxPeriod { seconds = context.vacationMaxPeriod }
        let rawReason = args.strings(at: 0).first ?? []
        let reason = String(decoding: expand(rawReason, &scope), as: UTF8.self)
        let subject = args.string("subject").map { String(decoding: expand($0, &scope), as: UTF8.self) }
        let from = args.string("from").map { String(decoding: expand($0, &scope), as: UTF8.self) }
        // Pigeonhole's default handle: the strings as written, before variable expansion.
        let handle =
            args.string("handle").map { String(decoding: expand($0, &scope), as: UTF8.self) }
            ?? (String(decoding: rawReason, as: UTF8.self)
                + (args.string("subject").map { String(decoding: $0, as: UTF8.self) } ?? "<default-subject>")
                + (args.string("from").map { String(decoding: $0, as: UTF8.self) } ?? "<default-from>")
                + (args.has("mime") ? "<MIME>" : "<NO-MIME>"))
        note(line, "vacation: \(seconds) s, subject \(subject.map { "\"\($0)\"" } ?? "default")")
        try addEntry(
            .vacation(Action.Vacation(seconds: seconds, subject: subject, from: from, reason: reason, handle: handle)))
    }

    func notify(_ args: Arguments, _ scope: inout Scope, line: Int) throws(Flow) {
        let message = args.string("message").map { String(decoding: expand($0, &scope), as: UTF8.self) }
        if scope.requires.contains("enotify") {
            let uri = String(decoding: expand(args.strings(at: 0).first ?? [], &scope), as: UTF8.self)
            guard uri.lowercased().hasPrefix("mailto:") else {
                throw .failure("line \(line): the notification method '\(uri)' is not supported")
            }
            guard let mailto = Mailto.parse(uri) else {
                throw .failure("line \(line): invalid mailto URI '\(uri)'")
            }
            var importance = 2
            if let text = args.string("importance"), let n = Int(String(decoding: expand(text, &scope), as: UTF8.self)),
                (1...3).contains(n)
            {
                importance = n
            }
            let from = args.string("from").map { String(decoding: expand($0, &scope), as: UTF8.self) }
            note(line, "notify \(uri)")
            try addEntry(
                .notify(
                    Action.Notification(
                        method: "mailto", importance: importance, subject: message ?? mailto.subject, from: from,
                        recipients: mailto.recipients, headers: mailto.headers, body: mailto.body)))
        } else {
            // Pigeonhole's defaults: importance 1 without :low/:normal/:high, the message "$from$: $subject$".
            var importance = 1
            if args.has("normal") { importance = 2 }
            if args.has("low") { importance = 3 }
            let id = args.string("id").map { String(decoding: expand($0, &scope), as: UTF8.self) }
            let text = deprecatedNotifyMessage(message ?? "$from$: $subject$")
            let recipients = (args.strings("options") ?? []).map {
                "To: " + String(decoding: expand($0, &scope), as: UTF8.self)
            }
            note(line, "notify (deprecated)")
            try addEntry(
                .notifyDeprecated(
                    Action.DeprecatedNotification(
                        importance: importance, message: text, id: id, recipients: recipients)))
        }
    }

    /// The deprecated notify draft's message variables: $from$, $env-from$, $subject$, $text$ and $text[N]$
    /// (the first N characters of the first text part's body).
    func deprecatedNotifyMessage(_ template: String) -> String {
        guard template.contains("$") else { return template }
        func header(_ name: String) -> String {
            guard let index = message.parts[0].headers.firstIndex(where: { $0.hasName(name) }) else { return "" }
            return String(decoding: decodedValue(index), as: UTF8.self)
        }
        func text() -> String {
            let index = message.parts.firstIndex { $0.contentType == "text/plain" && $0.children.isEmpty } ?? 0
            let body = TransferEncoding.decode(message.body(of: index), encoding: message.parts[index].transferEncoding)
            return String(decoding: body, as: UTF8.self)
        }
        var out = ""
        var rest = Substring(template)
        while let start = rest.firstIndex(of: "$") {
            out += rest[..<start]
            let after = rest[rest.index(after: start)...]
            guard let end = after.firstIndex(of: "$") else {
                rest = rest[start...]
                break
            }
            let name = after[..<end].lowercased()
            var value: String? = nil
            switch name {
            case "from": value = header("from")
            case "env-from": value = context.envelopeFrom ?? ""
            case "subject": value = header("subject")
            case "text": value = text()
            default:
                if name.hasPrefix("text["), name.hasSuffix("]"), let n = Int(name.dropFirst(5).dropLast()), n >= 0 {
                    value = String(text().prefix(n))
                }
            }
            if let value {
                out += value
                rest = after[after.index(after: end)...]
            } else {
                out += "$"
                rest = after
            }
        }
        return out + rest
    }

    /// The deprecated draft's denotify: cancels the notifications so far whose :id matches (all without a
    /// match type) and, with :low/:normal/:high, whose importance is that one.
    func denotify(_ args: Arguments, _ scope: inout Scope, line: Int) {
        let spec = matchSpec(args)
        let key = args.positional.isEmpty ? nil : expand(args.strings(at: 0).first ?? [], &scope)
        var importance: Int? = nil
        if args.has("high") { importance = 1 }
        if args.has("normal") { importance = 2 }
        if args.has("low") { importance = 3 }
        let before = entries.count
        entries.removeAll { entry in
            guard case .notifyDeprecated(let n) = entry else { return false }
            if let importance, n.importance != importance { return false }
            guard let key else { return true }
            guard let id = n.id else { return false }
            return match(Array(id.utf8), key, spec) != nil
        }
        note(line, "denotify: \(before - entries.count) notification(s) cancelled")
    }

    private func addEntry(_ entry: Entry) throws(Flow) {
        if entries.count >= context.maxActions {
            throw .failure("total number of actions exceeds policy limit (\(context.maxActions))")
        }
        entries.append(entry)
    }

    func deleteHeader(_ args: Arguments, _ scope: inout Scope, line: Int) throws(Flow) {
        let name = String(decoding: expand(args.strings(at: 0).first ?? [], &scope), as: UTF8.self)
        let lowered = name.lowercased()
        if lowered == "received" || lowered == "auto-submitted" {
            warnings.append("line \(line): deleteheader: the \(name) header may not be deleted")
            return
        }
        let patterns = args.positional.count > 1 ? args.strings(at: 1).map { expand($0, &scope) } : nil
        let spec = matchSpec(args)
        var headers = message.parts[0].headers
        let positions = headers.indices.filter { headers[$0].hasName(name) }
        var targets = positions
        if let index = args.number("index") {
            let k = Int(index) - 1
            let p = args.has("last") ? positions.count - 1 - k : k
            targets = p >= 0 && p < positions.count ? [positions[p]] : []
        }
        var removed = 0
        for position in targets.reversed() {
            if let patterns {
                let value = EncodedWords.decode(headers[position].value, converter: context.charset)
                guard patterns.contains(where: { match(value, $0, spec) != nil }) else { continue }
            }
            headers.remove(at: position)
            removed += 1
        }
        note(line, "deleteheader \"\(name)\": \(removed) removed")
        setHeaders(headers)
    }

    func include(_ args: Arguments, _ scope: inout Scope, line: Int) throws(Flow) {
        let name = String(decoding: expand(args.strings(at: 0).first ?? [], &scope), as: UTF8.self)
        let isGlobal = args.has("global")
        let key = (isGlobal ? "global:" : "personal:") + name
        if args.has("once") && includedOnce.contains(key) {
            note(line, "include \"\(name)\": already included (:once)")
            return
        }
        guard let text = context.loadScript?(name, isGlobal) else {
            if args.has("optional") {
                note(line, "include \"\(name)\": missing, optional")
                return
            }
            throw .failure("line \(line): included \(isGlobal ? "global" : "personal") script '\(name)' does not exist")
        }
        if includeDepth >= 10 { throw .failure("line \(line): includes nested too deeply") }
        let compiled = SieveCompiler(options: context.compileOptions).compileForExecution(text)
        guard let script = compiled.script else {
            let first = compiled.result.errors.first.map { $0.render(fileName: name) } ?? "invalid"
            throw .failure("line \(line): failed to compile included script '\(name)': \(first)")
        }
        includedOnce.insert(key)
        note(line, "include \"\(name)\"")
        var inner = Scope(requires: script.requires)
        includeDepth += 1
        defer { includeDepth -= 1 }
        do {
            try execute(script.commands, &inner)
        } catch {
            if case .returned = error { return }
            throw error
        }
    }

    func forEveryPart(_ command: ScriptNode, _ scope: inout Scope) throws(Flow) {
        let saved = scope.part
        defer { scope.part = saved }
        let start = saved
        var stack = Array(message.parts[start].children.reversed())
        if start == 0 && message.parts.count == 1 { stack = [0] }
        while let index = stack.popLast() {
            scope.part = index
            note(command.line, "foreverypart: part \(index) (\(message.parts[index].contentType))")
            do {
                try execute(command.block ?? [], &scope)
            } catch {
                if case .returned = error { break }
                throw error
            }
            stack += message.parts[index].children.reversed()
        }
    }

    /// RFC 5703 §7: the current part's text (decoded, in UTF-8), its first `:first` characters, into a
    /// variable, modifiers applied as by `set`.
    func extractText(_ args: Arguments, _ scope: inout Scope, line: Int) throws(Flow) {
        let part = message.parts[scope.part]
        var text: [UInt8] = []
        if part.mediaType == "text" {
            text = TransferEncoding.decode(message.body(of: scope.part), encoding: part.transferEncoding)
            if let charset = part.parameter("charset"), let converted = context.charset?(charset, text) {
                text = converted
            }
        }
        // The line break that ends the part is not part of its text.
        while let last = text.last, last == 0x0A || last == 0x0D { text.removeLast() }
        if let first = args.number("first") {
            let scalars = String(decoding: text, as: UTF8.self).unicodeScalars
            if scalars.count > Int(clamping: first) {
                var cut = String.UnicodeScalarView()
                cut.append(contentsOf: scalars.prefix(Int(clamping: first)))
                text = Array(String(cut).utf8)
            }
        }
        var setArgs = args
        setArgs.positional = [args.positional.first ?? .string([]), .string([])]
        let name = Execution.lowerName(expand(args.strings(at: 0).first ?? [], &scope))
        note(line, "extracttext \"\(name)\": \(text.count) octets")
        try set(setArgs, &scope, line: line, value: text)
    }

    // MARK: date

    func dateTest(_ name: String, _ args: Arguments, _ scope: inout Scope, line: Int) throws(Flow) -> Bool {
        var date: MessageDate?
        var partIndex = 0
        if name == "date" {
            partIndex = 1
            let header = args.strings(at: 0).first ?? []
            if let field = fields([header], args, scope).first?.first {
                var value = field.value
                if field.hasName("received"), let semicolon = value.lastIndex(of: 0x3B) {
                    value = Array(value[(semicolon + 1)...])
                }
                date = MessageDate.parse(value)
            }
        } else {
            date = context.now
        }
        let part = String(decoding: expand(args.strings(at: partIndex).first ?? [], &scope), as: UTF8.self).lowercased()
        let keys = args.strings(at: partIndex + 1)
        guard var d = date else {
            note(line, "\(name): no date → false")
            return args.matchCountZero ? try evaluate(name, [], [], keys, args, &scope, line: line) : false
        }
        if let zone = args.string("zone"), let minutes = Execution.zoneMinutes(zone) {
            d = d.inZone(minutes)
        } else if !args.has("originalzone") {
            d = d.inZone(context.now.zoneMinutes)
        }
        guard let value = Execution.datePart(part, d) else {
            note(line, "\(name): unknown date part \"\(part)\" → false")
            return false
        }
        return try evaluate("\(name) \"\(part)\"", [], [Array(value.utf8)], keys, args, &scope, line: line)
    }

    static func zoneMinutes(_ zone: [UInt8]) -> Int? {
        guard zone.count == 5, zone[0] == 0x2B || zone[0] == 0x2D,
            zone[1...].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 })
        else { return nil }
        let n = zone[1...].reduce(0) { $0 * 10 + Int($1 - 0x30) }
        let minutes = n / 100 * 60 + n % 100
        return zone[0] == 0x2D ? -minutes : minutes
    }

    static func datePart(_ part: String, _ d: MessageDate) -> String? {
        let f = d.fields
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        func four(_ n: Int) -> String { String(repeating: "0", count: max(0, 4 - String(n).count)) + String(n) }
        let zone = d.zoneMinutes
        let zoneText = (zone < 0 ? "-" : "+") + two(abs(zone) / 60) + two(abs(zone) % 60)
        switch part {
        case "year": return four(f.year)
        case "month": return two(f.month)
        case "day": return two(f.day)
        case "date": return "\(four(f.year))-\(two(f.month))-\(two(f.day))"
        case "julian":
            return String(MessageDate.days(year: f.year, month: f.month, day: f.day) + 40587)
        case "hour": return two(f.hour)
        case "minute": return two(f.minute)
        case "second": return two(f.second)
        case "time": return "\(two(f.hour)):\(two(f.minute)):\(two(f.second))"
        case "iso8601":
            let z = zone == 0 ? "Z" : (zone < 0 ? "-" : "+") + two(abs(zone) / 60) + ":" + two(abs(zone) % 60)
            return "\(four(f.year))-\(two(f.month))-\(two(f.day))T\(two(f.hour)):\(two(f.minute)):\(two(f.second))\(z)"
        case "std11":
            let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
            let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
            return
                "\(days[f.weekday]), \(two(f.day)) \(months[f.month - 1]) \(four(f.year)) \(two(f.hour)):\(two(f.minute)):\(two(f.second)) \(zoneText)"
        case "zone": return zoneText
        case "weekday": return String(f.weekday)
        default: return nil
        }
    }
}

extension Arguments {
    /// `:count` compares the number of values, which is 0 when there are none (a missing date included).
    var matchCountZero: Bool { has("count") }
}

/// RFC 6068 mailto URIs as enotify uses them, read as Pigeonhole's mailto method does: recipients split at
/// commas after percent-decoding, `bcc` and the other reserved header fields dropped.
struct Mailto {
    var recipients: [String]
    var headers: [String]
    var subject: String?
    var body: String?

    /// Header fields a mailto URI may not set (Pigeonhole's list: the notification's own trace and origin
    /// fields); they are ignored with a warning at compile time.
    static let reservedHeaders: Set<String> = [
        "auto-submitted", "received", "message-id", "data", "bcc", "in-reply-to", "references", "resent-date",
        "resent-from", "resent-sender", "resent-to", "resent-cc", "resent-bcc", "resent-msg-id", "from", "sender",
    ]

    static func parse(_ uri: String) -> Mailto? {
        guard uri.lowercased().hasPrefix("mailto:") else { return nil }
        let rest = uri.dropFirst(7)
        let pieces = rest.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var result = Mailto(recipients: [], headers: [], subject: nil, body: nil)
        func addresses(_ text: Substring, _ field: String) -> Bool {
            guard let decoded = percentDecode(text) else { return false }
            for item in decoded.split(separator: ",") {
                let trimmed = String(item).trimmingSpaces
                guard Execution.redirectAddress(Array(trimmed.utf8)) != nil else { return false }
                result.recipients.append("\(field): \(trimmed)")
            }
            return true
        }
        guard addresses(pieces[0], "To") else { return nil }
        if pieces.count == 2 {
            for pair in pieces[1].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard let name = percentDecode(kv[0]) else { return nil }
                let value = kv.count == 2 ? kv[1] : ""
                let lowered = name.lowercased()
                switch lowered {
                case "to": guard addresses(value, "To") else { return nil }
                case "cc": guard addresses(value, "Cc") else { return nil }
                case "subject": result.subject = percentDecode(value)
                case "body": result.body = percentDecode(value)
                case _ where reservedHeaders.contains(lowered): continue
                default:
                    guard let decoded = percentDecode(value) else { return nil }
                    result.headers.append("\(name): \(decoded)")
                }
            }
        }
        return result.recipients.isEmpty ? nil : result
    }

    static func percentDecode(_ s: Substring) -> String? {
        var out: [UInt8] = []
        var bytes = Array(s.utf8)[...]
        while let c = bytes.popFirst() {
            if c == 0x25 {
                guard bytes.count >= 2, let h = TransferEncoding.hex(bytes[bytes.startIndex]),
                    let l = TransferEncoding.hex(bytes[bytes.startIndex + 1])
                else { return nil }
                out.append(h << 4 | l)
                bytes = bytes.dropFirst(2)
            } else {
                out.append(c)
            }
        }
        return String(validating: out, as: UTF8.self)
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
