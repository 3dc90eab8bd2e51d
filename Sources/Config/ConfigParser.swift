// The configuration file grammar:
//   file    = *(line LF)           ; CRLF also accepted
//   line    = WSP* [ key WSP* "=" WSP* [ value ] ] WSP* [ comment ]
//   key     = 1*(ALPHA / DIGIT / "_")
//   value   = quoted / bare
//   quoted  = DQUOTE *(qchar / "\" DQUOTE / "\\") DQUOTE
//   comment = "#" *any             ; a whole line, or after a value when preceded by whitespace

/// Reads `managesieved.conf`.
public enum ConfigParser {
    /// Parses the whole text of a configuration file. Unknown keys, duplicate keys and bad values are errors.
    public static func parse(_ text: [UInt8], fileName: String) throws(ConfigError) -> Settings {
        var notes: [ConfigNote] = []
        return try parse(text, fileName: fileName, notes: &notes)
    }

    /// Like `parse(_:fileName:)`, and collects what was read but does not apply here (Dovecot's blocks and
    /// settings, see `DovecotSyntax`) as notes with their lines.
    public static func parse(
        _ text: [UInt8], fileName: String, notes: inout [ConfigNote]
    ) throws(ConfigError) -> Settings {
        var settings = Settings()
        // Two arrays, not a [String: Int]: a dictionary's first use costs more start-up than a linear
        // search over a file's few keys. Allocated once with room for every key (a key is set at most once):
        // growing an array by appending makes the runtime look up its storage type by name on first use,
        // which cost more than the search.
        var seenKeys = [String](unsafeUninitializedCapacity: SettingKey.names.count + 1) { _, count in count = 0 }
        var seenLines = [Int](unsafeUninitializedCapacity: SettingKey.names.count + 1) { _, count in count = 0 }
        // Open blocks: whether each is skipped (Dovecot's `service … {`), and the line that opened it.
        var blocks: [(skipped: Bool, line: Int)] = []
        var lineNumber = 0
        // Lines cut by index rather than `split`, whose array of slices is one more generic type for the
        // runtime to instantiate on every connection.
        var lineStart = text.startIndex
        while lineStart <= text.endIndex {
            let lineEnd = text[lineStart...].firstIndex(of: 0x0A) ?? text.endIndex
            defer { lineStart = lineEnd + 1 }
            lineNumber += 1
            func fail(_ message: String) -> ConfigError {
                ConfigError(file: fileName, line: lineNumber, message: message)
            }
            var bytes = text[lineStart..<lineEnd]
            if bytes.last == 0x0D { bytes = bytes.dropLast() }
            guard isValidUTF8(bytes) else { throw fail("invalid UTF-8") }
            // A control character inside a setting would be printed back by `managesievectl config` as is: a CR
            // there ends the printed line early (so it reads back differently), an ESC drives the admin's
            // terminal. A whole-line comment is never printed and may hold anything.
            if let control = bytes.first(where: isControl), bytes.drop(while: isBlank).first != UInt8(ascii: "#") {
                let hex = String(control, radix: 16, uppercase: true)
                throw fail("control character 0x\(hex.count < 2 ? "0" + hex : hex) in the line")
            }
            if let block = try blockLine(bytes, fail: fail) {
                switch block {
                case .open(let name, let argument):
                    let skippedByParent = blocks.last?.skipped ?? false
                    var skipped = skippedByParent
                    if !skippedByParent, case .ignored(let why) = DovecotSyntax.block(name: name, argument: argument) {
                        notes.append(ConfigNote(file: fileName, line: lineNumber, message: why))
                        skipped = true
                    }
                    blocks.append((skipped, lineNumber))
                case .close:
                    guard !blocks.isEmpty else { throw fail("'}' without an open block") }
                    blocks.removeLast()
                }
                continue
            }
            if blocks.last?.skipped ?? false { continue }
            guard let (key, rawValue) = try splitLine(bytes, fail: fail) else { continue }
            var value = rawValue
            // Dovecot's `<FILE` means "the file's contents"; for the TLS file settings the path is what we take.
            if value.first == "<" {
                guard key.hasPrefix("ssl_") else {
                    throw fail("'\(key) = <FILE' (a file's contents) is supported only for the ssl_ file settings")
                }
                value = String(value.dropFirst().drop { $0 == " " || $0 == "\t" })
                // One '<' only: a path that starts with another would be read as `<FILE` again when printed back.
                guard value.first != "<" else { throw fail("'\(key) = <FILE': FILE cannot start with '<'") }
            }
            // Only known keys are ever recorded, so an unknown key is never reported as a duplicate.
            if let index = seenKeys.firstIndex(of: key) {
                throw fail("duplicate key '\(key)' (first set on line \(seenLines[index]))")
            }
            if let other = SettingKey.sameSetting(as: key), let index = seenKeys.firstIndex(of: other) {
                throw fail("'\(key)' and '\(other)' (line \(seenLines[index])) set the same thing; keep one")
            }
            let known: Bool
            do {
                known = try SettingKey.apply(key, value, to: &settings)
            } catch {
                throw fail(error.message)
            }
            guard known else {
                let suggestion = suggestion(for: key)
                if suggestion == nil, let why = DovecotSyntax.explanation(for: key) {
                    notes.append(ConfigNote(file: fileName, line: lineNumber, message: "\(key): \(why)"))
                    continue
                }
                var message = "unknown key '\(key)'"
                if let suggestion { message += " (did you mean '\(suggestion)'?)" }
                throw fail(message)
            }
            seenKeys.append(key)
            seenLines.append(lineNumber)
        }
        if let open = blocks.last {
            throw ConfigError(file: fileName, line: open.line, message: "block opened here is not closed with '}'")
        }
        try resolveStorage(&settings, seenKeys: seenKeys, seenLines: seenLines, fileName: fileName)
        return settings
    }

    /// Where the scripts live when Pigeonhole's location (`sieve = file:…`) or `mail_location` says so.
    private static func resolveStorage(
        _ settings: inout Settings, seenKeys: [String], seenLines: [Int], fileName: String
    ) throws(ConfigError) {
        let explicit = seenKeys.firstIndex { $0 == "sieve_storage" || $0 == "sieve_dir" }
        if let storage = settings.sieveLocationStorage {
            if let explicit, let sieveLine = seenKeys.firstIndex(of: "sieve") {
                throw ConfigError(
                    file: fileName, line: seenLines[sieveLine],
                    message: "sieve = file:… names the storage, and so does \(seenKeys[explicit]) (line "
                        + "\(seenLines[explicit])); keep one")
            }
            settings.sieveStorage = storage
        } else if explicit == nil, let mailLocation = settings.mailLocation,
            let derived = DovecotSyntax.sieveStorage(mailLocation: mailLocation)
        {
            settings.sieveStorage = derived
        }
    }

    /// A block line: `NAME [ARGUMENT] {` or `}` (with optional blanks and a trailing comment); nil otherwise.
    private enum BlockLine {
        case open(name: String, argument: String)
        case close
    }

    private static func blockLine(
        _ line: ArraySlice<UInt8>, fail: (String) -> ConfigError
    ) throws(ConfigError) -> BlockLine? {
        var trimmed = line.drop(while: isBlank)
        guard let first = trimmed.first, first != UInt8(ascii: "#") else { return nil }
        if let hash = trimmed.firstIndex(of: UInt8(ascii: "#")), hash > trimmed.startIndex,
            isBlank(trimmed[hash - 1])
        {
            trimmed = trimmed[..<hash]
        }
        trimmed = trimmingTrailingBlanks(trimmed)
        if trimmed.count == 1 && first == UInt8(ascii: "}") { return .close }
        if first == UInt8(ascii: "!") {
            throw fail(
                "'\(String(decoding: trimmed, as: UTF8.self))': includes are not supported; put the settings in "
                    + "this one file")
        }
        guard trimmed.last == UInt8(ascii: "{"), !trimmed.contains(UInt8(ascii: "=")) else { return nil }
        let words = trimmed.dropLast().split(whereSeparator: isBlank)
        guard let name = words.first, words.count <= 2 else {
            throw fail("expected 'NAME [ARGUMENT] {' to open a block")
        }
        return .open(
            name: String(decoding: name, as: UTF8.self),
            argument: words.count > 1 ? String(decoding: words[1], as: UTF8.self) : "")
    }

    /// UTF-8 validity with an ASCII fast path: the generic validator costs start-up on every connection,
    /// and configuration files are nearly always ASCII.
    private static func isValidUTF8(_ bytes: ArraySlice<UInt8>) -> Bool {
        for byte in bytes where byte >= 0x80 {
            return String(validating: bytes, as: UTF8.self) != nil
        }
        return true
    }

    /// The value as it must be written in a file: quoted when it has surrounding blanks, a `#` or a quote.
    public static func quoteIfNeeded(_ value: String) -> String {
        let needsQuotes =
            value.first == " " || value.first == "\t" || value.last == " " || value.last == "\t"
            || value.contains("#") || value.first == "\""
        guard needsQuotes else { return value }
        var out = "\""
        for character in value {
            if character == "\"" || character == "\\" { out.append("\\") }
            out.append(character)
        }
        return out + "\""
    }

    private static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    private static func isControl(_ byte: UInt8) -> Bool { (byte < 0x20 && byte != 0x09) || byte == 0x7F }

    private static func trimmingTrailingBlanks(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var end = bytes.endIndex
        while end > bytes.startIndex && isBlank(bytes[end - 1]) { end -= 1 }
        return bytes[..<end]
    }

    /// Returns nil for a blank or comment line, else the key and the unquoted value.
    /// Works on the line's UTF-8 bytes: the grammar's delimiters are all ASCII, which never occur inside a
    /// multi-byte sequence, and generic `Character` slicing costs start-up time on every connection.
    private static func splitLine(
        _ line: ArraySlice<UInt8>, fail: (String) -> ConfigError
    ) throws(ConfigError) -> (String, String)? {
        let trimmed = line.drop(while: isBlank)
        if trimmed.isEmpty || trimmed.first == UInt8(ascii: "#") { return nil }
        guard let equals = trimmed.firstIndex(of: UInt8(ascii: "=")) else {
            throw fail("expected 'key = value', found '\(String(decoding: trimmed, as: UTF8.self))'")
        }
        let keyBytes = trimmingTrailingBlanks(trimmed[..<equals])
        let key = String(decoding: keyBytes, as: UTF8.self)
        guard !key.isEmpty else { throw fail("missing key before '='") }
        guard keyBytes.allSatisfy({ isKeyByte($0) }) else {
            throw fail("invalid key '\(key)' (keys are letters, digits and '_')")
        }
        var rest = trimmed[(equals + 1)...].drop(while: isBlank)
        if rest.first == UInt8(ascii: "\"") {
            rest = rest.dropFirst()
            var value: [UInt8] = []
            var escaped = false
            while let byte = rest.first {
                rest = rest.dropFirst()
                if escaped {
                    if byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") { value.append(UInt8(ascii: "\\")) }
                    value.append(byte)
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    let after = rest.drop(while: isBlank)
                    guard after.isEmpty || after.first == UInt8(ascii: "#") else {
                        throw fail("unexpected text after the closing quote of '\(key)'")
                    }
                    return (key, String(decoding: value, as: UTF8.self))
                } else {
                    value.append(byte)
                }
            }
            throw fail("missing closing quote in the value of '\(key)'")
        }
        // A bare value ends at a "#" that follows whitespace.
        var value = rest
        var previousBlank = false
        for index in rest.indices {
            let byte = rest[index]
            if byte == UInt8(ascii: "#") && previousBlank {
                value = rest[..<index]
                break
            }
            previousBlank = isBlank(byte)
        }
        return (key, String(decoding: trimmingTrailingBlanks(value), as: UTF8.self))
    }

    private static func isKeyByte(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39)
            || byte == 0x5F
    }

    /// The closest known key, when it is close enough to be a typo.
    static func suggestion(for key: String) -> String? {
        let lowered = Array(key.lowercased().utf8)
        let allowed = max(1, min(3, lowered.count / 4))
        var best: (name: String, distance: Int)?
        for name in Settings.allKeys {
            // The distance is at least the difference in length: skipping those keeps a long unknown key
            // (a pasted line, a fuzzer's input) from costing its length times every key's.
            let candidate = Array(name.utf8)
            guard abs(candidate.count - lowered.count) <= allowed else { continue }
            let distance = editDistance(lowered, candidate)
            if distance < (best?.distance ?? Int.max) { best = (name, distance) }
        }
        guard let best else { return nil }
        return best.distance <= allowed ? best.name : nil
    }

    /// Levenshtein distance.
    static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
