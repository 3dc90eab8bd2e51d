// RFC 5229 (variables): references, match variables, modifiers.

extension Execution {
    /// Every string of `list` expanded; the list itself when none refers to a variable (no new array).
    func expandAll(_ list: [[UInt8]], _ scope: inout Scope) -> [[UInt8]] {
        guard scope.variables, list.contains(where: { $0.contains(0x24) }) else { return list }
        return list.map { expand($0, &scope) }
    }

    /// A string with its variable references replaced (only in scripts that require "variables").
    func expand(_ s: [UInt8], _ scope: inout Scope) -> [UInt8] {
        guard scope.variables, s.contains(0x24) else { return s }
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        var i = 0
        let n = s.count
        while i < n {
            if s[i] == 0x24, i + 1 < n, s[i + 1] == 0x7B, let close = s[(i + 2)...].firstIndex(of: 0x7D) {
                let name = Array(s[(i + 2)..<close])
                if let value = lookup(name, &scope) {
                    out += value
                    i = close + 1
                    continue
                }
            }
            out.append(s[i])
            i += 1
        }
        return out
    }

    /// The value of `${name}`; nil when `name` is not a reference (the text stays as written).
    private func lookup(_ name: [UInt8], _ scope: inout Scope) -> [UInt8]? {
        guard let first = name.first else { return nil }
        if first >= 0x30 && first <= 0x39 {
            guard name.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), name.count <= 4 else { return nil }
            let index = name.reduce(0) { $0 * 10 + Int($1 - 0x30) }
            return index < scope.matchValues.count ? scope.matchValues[index] : []
        }
        let isIdentifier: (UInt8) -> Bool = {
            ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F
        }
        let pieces = name.split(separator: 0x2E, omittingEmptySubsequences: false)
        guard
            pieces.allSatisfy({
                !$0.isEmpty && $0.allSatisfy(isIdentifier) && !($0.first! >= 0x30 && $0.first! <= 0x39)
            })
        else { return nil }
        let lowered = Execution.lowerName(name)
        if pieces.count == 1 {
            if scope.globalNames.contains(lowered) { return globals[lowered] ?? [] }
            return scope.locals[lowered] ?? []
        }
        let namespace = Execution.lowerName(Array(pieces[0]))
        let rest = String(lowered.dropFirst(namespace.count + 1))
        switch namespace {
        case "global": return globals[rest] ?? []
        case "env":
            return context.environment[rest].map { Array($0.utf8) } ?? []
        default: return nil
        }
    }

    func assign(_ name: String, _ value: [UInt8], _ scope: inout Scope) {
        let cut = Execution.cut(value)
        if name.hasPrefix("global.") {
            globals[String(name.dropFirst(7))] = cut
        } else if scope.globalNames.contains(name) {
            globals[name] = cut
        } else {
            scope.locals[name] = cut
        }
    }

    func read(_ name: String, _ scope: inout Scope) -> [UInt8] {
        if name.hasPrefix("global.") { return globals[String(name.dropFirst(7))] ?? [] }
        if scope.globalNames.contains(name) { return globals[name] ?? [] }
        return scope.locals[name] ?? []
    }

    /// Values longer than the limit are cut (at a UTF-8 character boundary).
    static func cut(_ value: [UInt8]) -> [UInt8] {
        guard value.count > maxValueSize else { return value }
        var end = maxValueSize
        while end > 0 && value[end] & 0xC0 == 0x80 { end -= 1 }
        return Array(value[..<end])
    }

    /// set [MODIFIER…] <name> <value>: modifiers applied by precedence (RFC 5229 §4.1).
    func set(_ args: Arguments, _ scope: inout Scope, line: Int, value given: [UInt8]? = nil) throws(Flow) {
        let name = Execution.lowerName(args.strings(at: 0).first ?? [])
        var value = given ?? expand(args.strings(at: 1).first ?? [], &scope)
        let order = [
            "lower", "upper", "lowerfirst", "upperfirst", "quotewildcard", "quoteregex", "encodeurl", "length",
        ]
        for modifier in order where args.has(modifier) {
            switch modifier {
            case "lower": value = value.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
            case "upper": value = value.map { $0 >= 0x61 && $0 <= 0x7A ? $0 & ~0x20 : $0 }
            case "lowerfirst":
                if let f = value.first, f >= 0x41 && f <= 0x5A { value[0] = f | 0x20 }
            case "upperfirst":
                if let f = value.first, f >= 0x61 && f <= 0x7A { value[0] = f & ~0x20 }
            case "quotewildcard":
                value = value.flatMap { $0 == 0x2A || $0 == 0x3F || $0 == 0x5C ? [0x5C, $0] : [$0] }
            case "quoteregex":
                let special = Array("\\^$.[]|()?*+{}".utf8)
                value = value.flatMap { special.contains($0) ? [0x5C, $0] : [$0] }
            case "encodeurl":
                value = value.flatMap { c -> [UInt8] in
                    let unreserved =
                        (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || (c >= 0x30 && c <= 0x39)
                        || c == 0x2D || c == 0x2E || c == 0x5F || c == 0x7E
                    if unreserved { return [c] }
                    let hex = Array("0123456789ABCDEF".utf8)
                    return [0x25, hex[Int(c >> 4)], hex[Int(c & 0xF)]]
                }
            case "length":
                value = Array(String(String(decoding: value, as: UTF8.self).unicodeScalars.count).utf8)
            default: break
            }
        }
        note(line, "set \"\(name)\" = \"\(String(decoding: value, as: UTF8.self))\"")
        assign(name, value, &scope)
    }
}
