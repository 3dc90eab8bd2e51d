import SieveCompiler
import SieveMessage

// RFC 5228 §5 tests and the tests the extensions add.

struct MatchSpec {
    var comparator: Comparator
    var matchType: MatchType
}

extension Execution {
    func test(_ node: ScriptNode, _ scope: inout Scope) throws(Flow) -> Bool {
        let args = Arguments(node.arguments)
        let line = node.line
        switch node.name {
        case "true": return true
        case "false": return false
        case "not": return try !test(node.tests[0], &scope)
        case "allof":
            for t in node.tests where try !test(t, &scope) { return false }
            return true
        case "anyof":
            for t in node.tests where try test(t, &scope) { return true }
            return false
        case "exists":
            let names = args.strings(at: 0).map { String(decoding: expand($0, &scope), as: UTF8.self) }
            // Without :mime, tests see the message's own header (RFC 5703 §4), also inside foreverypart.
            let part = args.has("mime") ? scope.part : 0
            let ok = names.allSatisfy { name in message.parts[part].headers.contains { $0.hasName(name) } }
            note(line, "exists \(quoted(names)) → \(ok)")
            return ok
        case "size":
            let limit = args.number("over") ?? args.number("under") ?? 0
            let over = args.has("over")
            let ok = over ? UInt64(message.size) > limit : UInt64(message.size) < limit
            note(line, "size \(over ? ":over" : ":under") \(limit): the message has \(message.size) octets → \(ok)")
            return ok
        case "header":
            let names = expandAll(args.strings(at: 0), &scope)
            let values = args.has("mime") ? mimeHeaderValues(names, args, scope) : headerValues(names, args, scope)
            return try evaluate("header", names, values, args.strings(at: 1), args, &scope, line: line)
        case "address":
            let names = expandAll(args.strings(at: 0), &scope)
            let values = addressValues(names, args, scope)
            return try evaluate("address", names, values, args.strings(at: 1), args, &scope, line: line)
        case "envelope":
            let names = expandAll(args.strings(at: 0), &scope)
            let values = envelopeValues(names, args)
            return try evaluate("envelope", names, values, args.strings(at: 1), args, &scope, line: line)
        case "string":
            let values = expandAll(args.strings(at: 0), &scope)
            let counted = args.has("count") ? values.filter { !$0.isEmpty } : values
            return try evaluate("string", [], counted, args.strings(at: 1), args, &scope, line: line)
        case "body":
            let values = bodyValues(args, scope)
            return try evaluate("body", [], values, args.strings(at: 0), args, &scope, line: line)
        case "hasflag":
            var list: [String] = []
            if args.positional.count > 1 {
                for name in args.strings(at: 0) {
                    Execution.addFlags(
                        String(decoding: read(Execution.lowerName(expand(name, &scope)), &scope), as: UTF8.self),
                        to: &list)
                }
            } else {
                list = flags
            }
            let keys = args.strings(at: args.positional.count - 1)
            return try evaluate("hasflag", [], list.map { Array($0.utf8) }, keys, args, &scope, line: line)
        case "date", "currentdate":
            return try dateTest(node.name, args, &scope, line: line)
        case "mailboxexists":
            let names = args.strings(at: 0).map { String(decoding: expand($0, &scope), as: UTF8.self) }
            // INBOX is one folder whatever its case (RFC 3501 §5.1), as for fileinto.
            let ok = names.allSatisfy { $0.lowercased() == "inbox" || context.mailboxes.contains($0) }
            note(line, "mailboxexists \(quoted(names)) → \(ok)")
            return ok
        case "environment":
            let item = String(decoding: expand(args.strings(at: 0).first ?? [], &scope), as: UTF8.self)
            guard let value = context.environment[item] else {
                note(line, "environment \"\(item)\": no such item → false")
                return false
            }
            return try evaluate(
                "environment", [Array(item.utf8)], [Array(value.utf8)], args.strings(at: 1), args, &scope, line: line)
        case "ihave":
            let names = args.strings(at: 0).map { String(decoding: $0, as: UTF8.self) }
            let ok = names.allSatisfy { context.compileOptions.extensions.contains($0) }
            note(line, "ihave \(quoted(names)) → \(ok)")
            return ok
        case "valid_notify_method":
            let uris = expandAll(args.strings(at: 0), &scope)
            let ok = uris.allSatisfy { Mailto.parse(String(decoding: $0, as: UTF8.self)) != nil }
            note(line, "valid_notify_method → \(ok)")
            return ok
        case "spamtest", "virustest":
            // No scanner header is configured (sieve_spamtest_status_header…): the message counts as not tested.
            return try evaluate(node.name, [], [Array("0".utf8)], args.strings(at: 0), args, &scope, line: line)
        case "notify_method_capability":
            let uri = String(decoding: expand(args.strings(at: 0).first ?? [], &scope), as: UTF8.self)
            let capability = String(decoding: expand(args.strings(at: 1).first ?? [], &scope), as: UTF8.self)
            // mailto cannot know whether the recipient is online: "maybe" (RFC 5435 §5).
            let values: [[UInt8]] =
                Mailto.parse(uri) != nil && capability.lowercased() == "online" ? [Array("maybe".utf8)] : []
            return try evaluate(node.name, [], values, args.strings(at: 2), args, &scope, line: line)
        case "specialuse_exists":
            note(line, "specialuse_exists: no folder has a special-use flag in a dry run → false")
            return false
        case "duplicate":
            return duplicate(args, &scope, line: line)
        default:
            note(line, "\(node.name): not evaluated in a dry run → false")
            return false
        }
    }

    /// RFC 7352: whether the message's unique id (`:uniqueid`, else the `:header` field's value, else the
    /// Message-ID) is in the injected state (`InterpreterContext.duplicateSeen`). With no state, as
    /// Pigeonhole's sieve-test, nothing has been seen.
    func duplicate(_ args: Arguments, _ scope: inout Scope, line: Int) -> Bool {
        var id: [UInt8]?
        if let unique = args.string("uniqueid") {
            id = expand(unique, &scope)
        } else {
            let name = args.string("header").map { expand($0, &scope) } ?? Array("message-id".utf8)
            id = fields([name], Arguments([]), scope).first?.first.map { Execution.trimmed($0.value) }
        }
        guard let id, !id.isEmpty else {
            note(line, "duplicate: no unique id → false")
            return false
        }
        let text = String(decoding: id, as: UTF8.self)
        let seen = context.duplicateSeen.contains(text)
        note(line, "duplicate \"\(text)\": \(seen ? "seen before" : "not seen") → \(seen)")
        return seen
    }

    static func trimmed(_ value: [UInt8]) -> [UInt8] {
        var slice = value[...]
        while let c = slice.first, c == 0x20 || c == 0x09 { slice = slice.dropFirst() }
        while let c = slice.last, c == 0x20 || c == 0x09 { slice = slice.dropLast() }
        return Array(slice)
    }

    func matchSpec(_ args: Arguments) -> MatchSpec {
        var comparator = Comparator.asciiCasemap
        if let name = args.string("comparator"), let c = Comparator(name: name) { comparator = c }
        var type = MatchType.is
        if args.has("contains") { type = .contains }
        if args.has("matches") { type = .matches }
        if args.has("regex") { type = .regex }
        if let op = args.string("value").flatMap({ RelationalOperator(rawValue: String(decoding: $0, as: UTF8.self)) })
        {
            type = .value(op)
        }
        if let op = args.string("count").flatMap({ RelationalOperator(rawValue: String(decoding: $0, as: UTF8.self)) })
        {
            type = .count(op)
        }
        return MatchSpec(comparator: comparator, matchType: type)
    }

    /// Compares the values with the keys; on a `:matches`/`:regex` match, sets the match variables.
    func evaluate(
        _ label: String, _ names: [[UInt8]], _ values: [[UInt8]], _ rawKeys: [[UInt8]], _ args: Arguments,
        _ scope: inout Scope, line: Int
    ) throws(Flow) -> Bool {
        let spec = matchSpec(args)
        let keys = expandAll(rawKeys, &scope)
        var outcome = false
        var captured: [[UInt8]]? = nil
        switch spec.matchType {
        case .count(let op):
            let count = Array(String(values.count).utf8)
            outcome = keys.contains { op.holds(Comparator.asciiNumeric.order(count, $0)) }
        default:
            search: for value in values {
                for key in keys {
                    if let groups = match(value, key, spec) {
                        outcome = true
                        captured = groups
                        break search
                    }
                }
            }
        }
        if outcome, let captured, scope.variables, spec.matchType == .matches || spec.matchType == .regex {
            scope.matchValues = captured.map(Execution.cut)
        }
        if context.trace {
            let what = names.isEmpty ? "" : " \(quoted(names.map { String(decoding: $0, as: UTF8.self) }))"
            let shown = values.prefix(8).map { String(decoding: $0.prefix(200), as: UTF8.self) }
            let more = values.count > 8 ? " (+\(values.count - 8) more)" : ""
            note(
                line,
                "\(label)\(what) \(spec.matchType.name) \(spec.comparator.name): values \(quoted(shown))\(more)"
                    + " keys \(quoted(keys.map { String(decoding: $0, as: UTF8.self) })) → \(outcome)")
        }
        return outcome
    }

    /// One value against one key; the match variables' values on a match (empty for types that set none).
    func match(_ value: [UInt8], _ key: [UInt8], _ spec: MatchSpec) -> [[UInt8]]? {
        switch spec.matchType {
        case .is: return spec.comparator.equals(value, key) ? [] : nil
        case .contains: return spec.comparator.contains(value, key) ? [] : nil
        case .matches:
            guard let groups = Wildcard.match(value, key, spec.comparator) else { return nil }
            return [value] + groups
        case .regex:
            guard let regex = context.regex else { return nil }
            let caseInsensitive = spec.comparator == .asciiCasemap
            if let literal = RegexLiteral.required(key),
                !RegexLiteral.occurs(literal, in: value, caseInsensitive: caseInsensitive)
            {
                return nil
            }
            return regex(key, caseInsensitive, value)
        case .value(let op): return op.holds(spec.comparator.order(value, key)) ? [] : nil
        case .count: return nil
        }
    }

    func quoted(_ list: [String]) -> String {
        "[" + list.map { "\"" + $0 + "\"" }.joined(separator: ", ") + "]"
    }

    // MARK: Values

    /// The header fields named `names` of the current part, `:index` applied.
    func fields(_ names: [[UInt8]], _ args: Arguments, _ scope: Scope) -> [[HeaderField]] {
        let headers = message.parts[0].headers
        return fieldIndexes(names, args).map { $0.map { headers[$0] } }
    }

    /// Where the fields named `names` are in the message header, `:index` applied.
    func fieldIndexes(_ names: [[UInt8]], _ args: Arguments) -> [[Int]] {
        let headers = message.parts[0].headers
        return names.map { name in
            var found: [Int] = []
            for i in headers.indices where Execution.sameName(headers[i].name, name) { found.append(i) }
            if let index = args.number("index") {
                let k = Int(index) - 1
                let position = args.has("last") ? found.count - 1 - k : k
                found = position >= 0 && position < found.count ? [found[position]] : []
            }
            return found
        }
    }

    /// ASCII case-insensitive comparison of a field name with a name from the script.
    static func sameName(_ a: String, _ b: [UInt8]) -> Bool {
        let utf8 = a.utf8
        guard utf8.count == b.count else { return false }
        var i = 0
        for c in utf8 {
            let x = c >= 0x41 && c <= 0x5A ? c | 0x20 : c
            let y = b[i] >= 0x41 && b[i] <= 0x5A ? b[i] | 0x20 : b[i]
            if x != y { return false }
            i += 1
        }
        return true
    }

    /// A message header field's value, RFC 2047-decoded once per run (editheader clears the cache).
    func decodedValue(_ index: Int) -> [UInt8] {
        if index < decodedValues.count, let known = decodedValues[index] { return known }
        let headers = message.parts[0].headers
        let value = EncodedWords.decode(headers[index].value, converter: context.charset)
        if decodedValues.count < headers.count {
            decodedValues.append(contentsOf: repeatElement(nil, count: headers.count - decodedValues.count))
        }
        decodedValues[index] = value
        return value
    }

    /// A message header field's addresses, parsed once per run.
    func parsedAddresses(_ index: Int) -> [MailAddress] {
        if index < addressLists.count, let known = addressLists[index] { return known }
        let headers = message.parts[0].headers
        let list = AddressList.parse(headers[index].value)
        if addressLists.count < headers.count {
            addressLists.append(contentsOf: repeatElement(nil, count: headers.count - addressLists.count))
        }
        addressLists[index] = list
        return list
    }

    /// RFC 5703 §4 `header :mime`: the fields of the current part (or, with :anychild, of every part under
    /// it), Content-Type options picking its type, subtype, type/subtype or parameters.
    func mimeHeaderValues(_ names: [[UInt8]], _ args: Arguments, _ scope: Scope) -> [[UInt8]] {
        var partIndexes = [scope.part]
        if args.has("anychild") {
            var stack = [scope.part]
            partIndexes = []
            while let p = stack.popLast() {
                partIndexes.append(p)
                stack += message.parts[p].children.reversed()
            }
        }
        var values: [[UInt8]] = []
        for index in partIndexes {
            let part = message.parts[index]
            for name in names {
                let text = String(decoding: name, as: UTF8.self)
                if text.lowercased() == "content-type"
                    && (args.has("type") || args.has("subtype") || args.has("contenttype") || args.has("param"))
                {
                    // As Pigeonhole: the options read the field itself; a part without one has no value.
                    guard part.headers.contains(where: { $0.hasName("content-type") }) else { continue }
                    if args.has("type") { values.append(Array(part.mediaType.utf8)) }
                    if args.has("subtype") { values.append(Array(part.mediaSubtype.utf8)) }
                    if args.has("contenttype") { values.append(Array(part.contentType.utf8)) }
                    for p in args.strings("param") ?? [] {
                        if let v = part.parameter(String(decoding: p, as: UTF8.self)) { values.append(Array(v.utf8)) }
                    }
                    continue
                }
                for field in part.headers where field.hasName(text) {
                    values.append(EncodedWords.decode(field.value, converter: context.charset))
                }
            }
        }
        return values
    }

    func headerValues(_ names: [[UInt8]], _ args: Arguments, _ scope: Scope) -> [[UInt8]] {
        var values: [[UInt8]] = []
        forEachField(names, args) { values.append(decodedValue($0)) }
        return values
    }

    /// `body` with the position of every field `fieldIndexes` lists, in its order; without :index (nearly every
    /// test) without building the lists first.
    func forEachField(_ names: [[UInt8]], _ args: Arguments, _ body: (Int) -> Void) {
        guard args.number("index") == nil else {
            for index in fieldIndexes(names, args).joined() { body(index) }
            return
        }
        let headers = message.parts[0].headers
        for name in names {
            for i in headers.indices where Execution.sameName(headers[i].name, name) { body(i) }
        }
    }

    func addressValues(_ names: [[UInt8]], _ args: Arguments, _ scope: Scope) -> [[UInt8]] {
        var values: [[UInt8]] = []
        forEachField(names, args) { index in
            let addresses = parsedAddresses(index)
            if addresses.isEmpty {
                if !args.has("localpart") && !args.has("domain") && !args.has("user") && !args.has("detail") {
                    values.append(decodedValue(index))
                }
                return
            }
            for address in addresses {
                if let part = addressPart(address, args) { values.append(part) }
            }
        }
        return values
    }

    func envelopeValues(_ names: [[UInt8]], _ args: Arguments) -> [[UInt8]] {
        var values: [[UInt8]] = []
        for name in names {
            let lowered = Execution.lowerName(name)
            let raw: String?
            switch lowered {
            case "from": raw = context.envelopeFrom
            case "to", "orig_to": raw = context.envelopeTo
            default: raw = nil
            }
            guard let raw else { continue }
            if raw.isEmpty {
                // The null sender: only the whole (empty) address.
                if !args.has("localpart") && !args.has("domain") && !args.has("user") && !args.has("detail") {
                    values.append([])
                }
                continue
            }
            let bytes = Array(raw.utf8)
            let address: MailAddress
            if let at = bytes.lastIndex(of: 0x40) {
                address = MailAddress(localPart: Array(bytes[..<at]), domain: Array(bytes[(at + 1)...]))
            } else {
                address = MailAddress(localPart: bytes, domain: nil)
            }
            if let part = addressPart(address, args) { values.append(part) }
        }
        return values
    }

    /// RFC 5228 §2.7.4 address parts and RFC 5233 (subaddress): the separator is "+".
    func addressPart(_ address: MailAddress, _ args: Arguments) -> [UInt8]? {
        if args.has("localpart") { return address.localPart }
        if args.has("domain") { return address.domain ?? [] }
        let plus = address.localPart.firstIndex(of: 0x2B)
        if args.has("user") { return plus.map { Array(address.localPart[..<$0]) } ?? address.localPart }
        if args.has("detail") {
            guard let plus else { return nil }
            return Array(address.localPart[(plus + 1)...])
        }
        return address.full
    }

    /// RFC 5173 (body): `:raw` the undecoded body, `:content` the parts of the listed types, `:text` (the
    /// default) the text parts decoded.
    func bodyValues(_ args: Arguments, _ scope: Scope) -> [[UInt8]] {
        if args.has("raw") { return [Array(message.body(of: 0))] }
        let types = args.strings("content")?.map { Execution.lowerName($0) } ?? ["text"]
        var values: [[UInt8]] = []
        for (index, part) in message.parts.enumerated() {
            if part.isMultipart || part.contentType == "message/rfc822" { continue }
            let wanted = types.contains { t in
                t.isEmpty || t == part.contentType || (!t.contains("/") && t == part.mediaType)
            }
            guard wanted else { continue }
            var decoded = TransferEncoding.decode(message.body(of: index), encoding: part.transferEncoding)
            if part.mediaType == "text", let charset = part.parameter("charset") {
                let lowered = charset.lowercased()
                if lowered != "utf-8" && lowered != "us-ascii", let converted = context.charset?(charset, decoded) {
                    decoded = converted
                }
            }
            values.append(decoded)
        }
        return values
    }
}
