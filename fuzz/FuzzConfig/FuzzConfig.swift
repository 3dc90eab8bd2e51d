import Config
import FuzzSupport

// Fuzz target for the configuration parser (`managesieved.conf`: read by the server on every connection and by
// `managesievectl config`; written by admins, often copied from a Dovecot configuration).
//
// Checks, for every input: no crash or hang; parsing is deterministic; the settings of a file that parses,
// printed as `managesievectl config` prints them, parse again to the same printed values.

func render(_ settings: Settings) -> [UInt8] {
    var text = ""
    for (key, value) in settings.entries(onlyNonDefault: false) {
        text += value.isEmpty ? "\(key) =\n" : "\(key) = \(ConfigParser.quoteIfNeeded(value))\n"
    }
    return Array(text.utf8)
}

func fuzzOne(_ input: [UInt8]) {
    let first: Settings
    do {
        first = try ConfigParser.parse(input, fileName: "fuzz.conf")
    } catch {
        if (try? ConfigParser.parse(input, fileName: "fuzz.conf")) != nil { fatalError("not deterministic: \(error)") }
        return
    }
    guard let second = try? ConfigParser.parse(input, fileName: "fuzz.conf"), second == first else {
        fatalError("parsing is not deterministic")
    }
    let printed = render(first)
    let reparsed: Settings
    do {
        reparsed = try ConfigParser.parse(printed, fileName: "printed.conf")
    } catch {
        fatalError("printed settings do not parse: \(error)\n\(String(decoding: printed, as: UTF8.self))")
    }
    // Compared as printed: Settings may also remember how a value was written (Dovecot's `sieve = file:…`).
    if render(reparsed) != printed {
        fatalError("printed settings parse to other values:\n\(String(decoding: printed, as: UTF8.self))")
    }
}

fuzzMain(name: "FuzzConfig", fuzzOne)
