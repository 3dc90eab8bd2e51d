// RFC 5435 (enotify) with the mailto method (RFC 5436)
struct Enotify: SieveExtension {
    let name = "enotify"
    var conflicts: [String] { ["notify"] }
    var setModifiers: [(name: String, precedence: Int)] { [("encodeurl", 15)] }
    var tags: [TagDefinition] { Variables.modifierTags(setModifiers, target: ["set", "extracttext"]) }
    var commands: [CommandDefinition] {
        [
            // notify [":from" string] [":importance" <"1" / "2" / "3">] [":options" string-list]
            //        [":message" string] <method: string>
            .command(
                "notify", [.string], names: ["method"],
                tags: [
                    TagDefinition("from", parameter: .string),
                    TagDefinition("importance", parameter: .string),
                    TagDefinition("options", parameter: .stringList),
                    TagDefinition("message", parameter: .string),
                ],
                check: { use, v in
                    if let p = use.tag("importance")?.parameter, case .string(let s) = p.value,
                        !v.isConstant(s) || !["1", "2", "3"].contains(s.text)
                    {
                        v.error(.invalidImportance(s.text), at: s)
                    }
                    for s in use.tag("options")?.parameter?.strings ?? []
                    where v.isConstant(s) && !NotifyURI.isValidOption(s.bytes) {
                        v.error(.invalidNotifyOption(s.text), at: s)
                        return
                    }
                    guard case .string(let m) = use.positional[0].value, v.isConstant(m) else { return }
                    let findings = NotifyURI.check(m.text)
                    if let problem = findings.error {
                        v.error(.invalidNotifyMethod(m.text, problem), at: m)
                        return
                    }
                    for w in findings.warnings { v.warning(.mailtoWarning(w), at: m) }
                    if let f = use.tag("from")?.parameter, case .string(let s) = f.value, v.isConstant(s),
                        let problem = Checks.addressProblem(s.bytes)
                    {
                        v.error(.invalidAddress(command: "notify :from", address: s.text, reason: problem), at: s)
                    }
                    if use.has("options") { v.warning(.mailtoOptionsIgnored, at: use.tag("options")!.argument) }
                }),
            .test("valid_notify_method", [.stringList], names: ["notification uris"]),
            .test(
                "notify_method_capability", [.string, .string, .stringList],
                names: ["notification uri", "notification capability", "key list"], features: CommonTags.matching),
        ]
    }
}

/// Checks a constant notification URI: only mailto (RFC 6068) is supported.
enum NotifyURI {
    struct Findings {
        var error: MailtoProblem?
        var warnings: [MailtoWarning] = []
    }

    static let reservedHeaders: Set<String> = [
        "from", "sender", "bcc", "message-id", "date", "received", "return-path", "auto-submitted", "content-type",
        "content-transfer-encoding", "mime-version",
    ]
    static let addressHeaders: Set<String> = ["to", "cc"]

    /// scheme ":" … ; the URI's problem (error) or warnings.
    static func check(_ uri: String) -> Findings {
        let bytes = Array(uri.utf8)
        guard let colon = bytes.firstIndex(of: 0x3A), colon > 0, Lexer.isAlpha(bytes[0]),
            bytes[..<colon].allSatisfy({
                Lexer.isAlpha($0) || Lexer.isDigit($0) || $0 == 0x2B || $0 == 0x2D || $0 == 0x2E
            })
        else { return Findings(error: .invalidScheme(uri)) }
        let scheme = String(decoding: bytes[..<colon].map(Lexer.lower), as: UTF8.self)
        guard scheme == "mailto" else {
            return Findings(error: .unsupportedMethod(scheme))
        }
        return mailto(Array(bytes[(colon + 1)...]))
    }

    /// qchar = unreserved / pct-encoded / some-delims (RFC 6068), without ',' as Pigeonhole.
    static func isQchar(_ b: UInt8) -> Bool {
        Lexer.isAlpha(b) || Lexer.isDigit(b) || "-._~!$'()*+;:@".utf8.contains(b)
    }

    static func mailto(_ rest: [UInt8]) -> Findings {
        var findings = Findings()
        var recipients = 0
        let q = rest.firstIndex(of: 0x3F) ?? rest.count
        let to = Array(rest[..<q])
        for b in to where !isQchar(b) && b != 0x25 {
            return Findings(error: .invalidCharacter(Lexer.describe(b), part: .recipients))
        }
        if !to.isEmpty {
            guard let decoded = percentDecode(to) else { return Findings(error: .invalidPercentEncoding) }
            // An encoded comma separates recipients.
            for part in decoded.split(separator: 0x2C) {
                if let p = Checks.addressProblem(Array(part)) {
                    return Findings(
                        error: .invalidRecipient(String(decoding: part, as: UTF8.self), p))
                }
                recipients += 1
            }
        }
        if q < rest.count {
            var seenSubject = false
            let query = rest[(q + 1)...]
            let fields = query.isEmpty ? [] : query.split(separator: 0x26, omittingEmptySubsequences: false)
            for (n, field) in fields.enumerated() {
                // hfield = hfname "=" hfvalue; a field without "=" runs into the next '&' (or the end).
                guard let eq = field.firstIndex(of: 0x3D) else {
                    // Pigeonhole accepts a last field without a value ("?subject") but not "?a&b=c".
                    if n + 1 == fields.count { continue }
                    return Findings(error: .invalidCharacter("&", part: .headerName))
                }
                let rawName = Array(field[field.startIndex..<eq])
                for b in rawName where !isQchar(b) && b != 0x25 {
                    return Findings(
                        error: .invalidCharacter(Lexer.describe(b), part: .headerName))
                }
                let rawValue = Array(field[(eq + 1)...])
                for b in rawValue where !isQchar(b) && b != 0x25 && b != 0x2C {
                    return Findings(
                        error: .invalidCharacter(Lexer.describe(b), part: .headerValue))
                }
                guard let nameBytes = percentDecode(rawName), let value = percentDecode(rawValue), !value.contains(0),
                    !nameBytes.contains(0)
                else {
                    return Findings(error: .invalidPercentEncoding)
                }
                if nameBytes.isEmpty { continue }
                let name = String(decoding: nameBytes.map(Lexer.lower), as: UTF8.self)
                if !Checks.isValidHeaderName(nameBytes) {
                    return Findings(error: .invalidHeaderName(name))
                }
                if name != "body", value.contains(where: { $0 >= 0x80 || ($0 < 0x20 && $0 != 0x09) }) {
                    return Findings(error: .invalidHeaderBody)
                }
                if addressHeaders.contains(name) {
                    for part in value.split(separator: 0x2C, omittingEmptySubsequences: false) {
                        if part.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
                            return Findings(error: .emptyRecipient)
                        }
                        if let p = Checks.addressProblem(Array(part)) {
                            return Findings(
                                error: .invalidRecipient(String(decoding: part, as: UTF8.self), p))
                        }
                        recipients += 1
                    }
                } else if name == "subject" {
                    if seenSubject { findings.warnings.append(.duplicateSubject) }
                    seenSubject = true
                } else if reservedHeaders.contains(name) {
                    findings.warnings.append(.reservedHeader(name))
                }
            }
        }
        if recipients == 0 { findings.warnings.append(.noRecipients) }
        return findings
    }

    static func percentDecode(_ s: [UInt8]) -> [UInt8]? {
        var out: [UInt8] = []
        var i = 0
        while i < s.count {
            if s[i] == 0x25 {
                guard i + 2 < s.count, VariableSyntax.isHex(s[i + 1]), VariableSyntax.isHex(s[i + 2]) else {
                    return nil
                }
                out.append(VariableSyntax.hexValue(s[i + 1]) << 4 | VariableSyntax.hexValue(s[i + 2]))
                i += 3
            } else {
                out.append(s[i])
                i += 1
            }
        }
        return out
    }

    /// option = name "=" value; name is alphanumeric or "-".
    static func isValidOption(_ s: [UInt8]) -> Bool {
        guard let eq = s.firstIndex(of: 0x3D), eq > 0 else { return false }
        return s[..<eq].allSatisfy { Lexer.isAlpha($0) || Lexer.isDigit($0) || $0 == 0x2D || $0 == 0x5F || $0 == 0x2E }
    }
}
