// RFC 5435 (enotify) with the mailto method (RFC 5436)
struct Enotify: SieveExtension {
    let name = "enotify"
    var conflicts: [String] { ["notify"] }
    var setModifiers: [(name: String, precedence: Int)] { [("encodeurl", 15)] }
    var tags: [TagDefinition] { Variables.modifierTags(setModifiers, target: ["set"]) }
    var commands: [CommandDefinition] {
        [
            // notify [":from" string] [":importance" <"1" / "2" / "3">] [":options" string-list]
            //        [":message" string] <method: string>
            .command("notify", [.string], names: ["method"], tags: [
                TagDefinition("from", parameter: .string),
                TagDefinition("importance", parameter: .string),
                TagDefinition("options", parameter: .stringList),
                TagDefinition("message", parameter: .string),
            ], check: { use, v in
                if let p = use.tag("importance")?.parameter, case .string(let s) = p.value, v.isConstant(s),
                    !["1", "2", "3"].contains(s.text)
                {
                    v.error(.invalidImportance(s.text), at: s)
                }
                guard case .string(let m) = use.positional[0].value, v.isConstant(m) else { return }
                if let problem = NotifyURI.problem(m.text) {
                    v.error(.invalidNotifyMethod(m.text, reason: problem), at: m)
                    return
                }
                if let f = use.tag("from")?.parameter, case .string(let s) = f.value, v.isConstant(s),
                    let problem = Checks.addressProblem(s.bytes)
                {
                    v.error(.invalidAddress(command: "notify :from", address: s.text, reason: problem), at: s)
                }
                if use.has("options") { v.warning(.mailtoOptionsIgnored, at: use.tag("options")!.argument) }
            }),
            .test("valid_notify_method", [.stringList], names: ["notification uris"]),
            .test("notify_method_capability", [.string, .string, .stringList],
                  names: ["notification uri", "notification capability", "key list"], features: CommonTags.matching),
        ]
    }
}

/// Checks a constant notification URI: only mailto (RFC 6068) is supported.
enum NotifyURI {
    static func problem(_ uri: String) -> String? {
        guard let colon = uri.utf8.firstIndex(of: 0x3A) else { return "missing scheme" }
        let scheme = String(uri[..<colon]).lowercased()
        guard !scheme.isEmpty, scheme.utf8.allSatisfy({ Lexer.isAlpha($0) || Lexer.isDigit($0) || $0 == 0x2B || $0 == 0x2D || $0 == 0x2E }),
            Lexer.isAlpha(scheme.utf8.first!)
        else { return "invalid scheme" }
        guard scheme == "mailto" else { return "notification method '\(scheme)' is not supported" }
        let rest = Array(uri.utf8[uri.utf8.index(after: colon)...])
        // mailtoURI = "mailto:" [ to ] [ hfields ]
        let q = rest.firstIndex(of: 0x3F) ?? rest.count
        let to = Array(rest[..<q])
        for part in to.split(separator: 0x2C, omittingEmptySubsequences: false) where !part.isEmpty || to.isEmpty == false {
            let decoded = percentDecode(Array(part))
            guard let d = decoded else { return "invalid percent encoding" }
            if let p = Checks.addressProblem(d) { return "invalid recipient: \(p)" }
        }
        if q < rest.count {
            let fields = rest[(q + 1)...]
            for f in fields.split(separator: 0x26) {
                guard let eq = f.firstIndex(of: 0x3D) else { return "invalid header field" }
                let name = Array(f[f.startIndex..<eq])
                guard let n = percentDecode(name), Checks.isValidHeaderName(n) else { return "invalid header field name" }
                guard percentDecode(Array(f[(eq + 1)...])) != nil else { return "invalid percent encoding" }
            }
        }
        return nil
    }

    static func percentDecode(_ s: [UInt8]) -> [UInt8]? {
        var out: [UInt8] = []
        var i = 0
        while i < s.count {
            if s[i] == 0x25 {
                guard i + 2 < s.count, VariableSyntax.isHex(s[i + 1]), VariableSyntax.isHex(s[i + 2]) else { return nil }
                out.append(VariableSyntax.hexValue(s[i + 1]) << 4 | VariableSyntax.hexValue(s[i + 2]))
                i += 3
            } else {
                out.append(s[i])
                i += 1
            }
        }
        return out
    }
}
