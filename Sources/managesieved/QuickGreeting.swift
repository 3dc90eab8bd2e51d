import Auth
import Config
import Posix
import SieveCompiler

// The quick start: the greeting written before the server is built.
//
// The client of every connection waits for the greeting, and a new Swift process pays for the first use of
// each generic type (arrays, Strings, metadata by mangled name) and for every page of code it touches. For
// the commonest configuration — no TLS, no transcript, no PROXY header, the default extensions, a passwd-file
// without SCRAM or cleartext entries — the greeting is fixed but for the implementation string and
// MAXREDIRECTS, so it is written from the raw bytes of the two files, with no Swift array or String made.
// The ordinary start-up then runs on those same bytes, and the Connection checks that the session's own
// greeting is byte for byte the one sent (logging an internal error if not). Anything else, and any doubt
// (`GreetingSettings.scan` returns nil), takes the ordinary path: parse, then greet.

/// What the quick start read and sent, handed to the ordinary start-up.
struct QuickStart {
    /// The configuration file as read.
    let config: RawFile
    /// The passwd-file as read.
    let passwd: PasswdText
    /// The greeting written to fd 1.
    let greeting: RawFile

    /// A small passwd-file is read into memory from malloc like the configuration; a large one is opened through
    /// its index (`PasswdDatabase`), which answers the greeting's question from its header.
    enum PasswdText {
        case raw(RawFile)
        case database(PasswdDatabase)

        /// Whether SCRAM could be offered: an entry with SCRAM or cleartext credentials (the ordinary path decides).
        var mayOfferSCRAM: Bool {
            switch self {
            case .raw(let file): PasswdFile.mayServeSCRAM(file.bytes)
            case .database(let database): database.mayServeSCRAM
            }
        }

        func free() {
            if case .raw(let file) = self { file.free() }
        }

        /// The passwd-file for the session; a raw buffer is released.
        func database() -> PasswdDatabase {
            switch self {
            case .raw(let file):
                defer { file.free() }
                return PasswdDatabase(text: file.array)
            case .database(let database):
                return database
            }
        }
    }

    /// The three as arrays for the ordinary start-up; the raw buffers are released.
    func arrays() -> (config: [UInt8], passwd: PasswdDatabase, greeting: [UInt8]) {
        defer {
            config.free()
            greeting.free()
        }
        return (config.array, passwd.database(), greeting.array)
    }
}

enum QuickGreeting {
    /// The greeting's fixed parts. Tests/Integration/test_startup.py compares the result with the ordinary
    /// path's greeting; `Connection.run(greetingSent:)` compares it with the session's on every connection.
    private static let implementationPrefix: StaticString = "\"IMPLEMENTATION\" \""
    private static let sievePrefix: StaticString = "\"\r\n\"SIEVE\" \""
    private static let saslAndRedirects: StaticString =
        "\"\r\n\"NOTIFY\" \"mailto\"\r\n\"SASL\" \"PLAIN LOGIN\"\r\n\"MAXREDIRECTS\" \""
    private static let ending: StaticString = "\"\r\n\"VERSION\" \"1.0\"\r\nOK\r\n"
    /// The configuration file without `-c` (main.swift uses it too).
    static let defaultConfigPath: StaticString = "/etc/managesieved.conf"

    /// Writes the greeting when the configuration allows the quick start; nil when it does not (nothing was
    /// written then, and the ordinary path does everything, reporting any problem as before). A large passwd-file
    /// opened here is handed back in `openedPasswd` either way, so that its index is not opened twice.
    static func start(openedPasswd: inout PasswdDatabase?) -> QuickStart? {
        guard let configPath = configPathArgument() else { return nil }
        guard let config = RawFile.read(path: configPath, maxSize: 1 << 20) else { return nil }
        guard let settings = GreetingSettings.scan(config.bytes), !settings.disablePlaintextAuth,
            let passwd = readPasswd(settings, config)
        else {
            config.free()
            return nil
        }
        if case .database(let database) = passwd { openedPasswd = database }
        // SCRAM may be offered only when some entry has SCRAM or cleartext credentials: the ordinary path decides.
        guard !passwd.mayOfferSCRAM, let greeting = greeting(settings, config)
        else {
            config.free()
            passwd.free()
            return nil
        }
        _ = ProcessControl.redirectStandardErrorToDevNull()
        ProcessControl.ignoreSIGPIPE()
        Socket.setNoDelay(0)
        Socket.setNoDelay(1)
        guard RawFile.writeAll(1, greeting.bytes) == 0 else {
            // Nothing (or a part) went out; the ordinary path tries again and reports the error as usual.
            config.free()
            passwd.free()
            greeting.free()
            return nil
        }
        return QuickStart(config: config, passwd: passwd, greeting: greeting)
    }

    /// `-c FILE` / `--config FILE`, or no arguments at all (the default file); nil for anything else.
    private static func configPathArgument() -> UnsafePointer<CChar>? {
        let argv = CommandLine.unsafeArgv
        switch CommandLine.argc {
        case 1:
            return cString(defaultConfigPath)
        case 3:
            guard let option = argv[1], equals(option, "-c") || equals(option, "--config") else { return nil }
            return argv[2].map { UnsafePointer($0) }
        default:
            return nil
        }
    }

    /// Files up to this size are read into memory from malloc; larger ones through the index (`QuickStart.PasswdText`).
    private static let smallPasswdFile = PasswdDatabase.indexThreshold

    private static func readPasswd(_ settings: GreetingSettings, _ config: RawFile) -> QuickStart.PasswdText? {
        guard let range = settings.passwdFile else {
            return readPasswd(path: cString(GreetingSettings.defaultPasswdFile))
        }
        // The path with a terminating NUL, on the stack.
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: range.count + 1) { path in
            for offset in 0..<range.count { path[offset] = CChar(bitPattern: config.bytes[range.lowerBound + offset]) }
            path[range.count] = 0
            return readPasswd(path: UnsafePointer(path.baseAddress!))
        }
    }

    private static func readPasswd(path: UnsafePointer<CChar>) -> QuickStart.PasswdText? {
        if let file = RawFile.read(path: path, maxSize: smallPasswdFile) { return .raw(file) }
        // Larger, or unreadable (an unreadable file is left to the ordinary path, which reports it).
        let database = PasswdDatabase(path: String(cString: path))
        return database.loadError == nil ? .database(database) : nil
    }

    /// The greeting's bytes in a buffer from malloc, or nil when they cannot be made here.
    private static func greeting(_ settings: GreetingSettings, _ config: RawFile) -> RawFile? {
        let capacity = 4096
        guard let base = RawFile.allocate(byteCount: capacity)?.assumingMemoryBound(to: UInt8.self) else { return nil }
        var count = 0
        func append(_ text: StaticString) {
            for offset in 0..<text.utf8CodeUnitCount { base[count + offset] = text.utf8Start[offset] }
            count += text.utf8CodeUnitCount
        }
        append(implementationPrefix)
        if let range = settings.implementationString {
            // RFC 5804 §4 quoted string: printable ASCII here (the scan saw to it), with `"` and `\` escaped.
            for index in range {
                let byte = config.bytes[index]
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                    base[count] = UInt8(ascii: "\\")
                    count += 1
                }
                base[count] = byte
                count += 1
            }
        } else {
            append(GreetingSettings.defaultImplementationString)
        }
        append(sievePrefix)
        append(ExtensionSet.pigeonholeDefaultCapability)
        append(saslAndRedirects)
        // MAXREDIRECTS: at most 9 digits.
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0
        )
        var value = settings.maxRedirects
        var length = 0
        withUnsafeMutableBytes(of: &digits) { digitBytes in
            repeat {
                digitBytes[length] = UInt8(ascii: "0") + UInt8(value % 10)
                value /= 10
                length += 1
            } while value > 0 && length < digitBytes.count
            for offset in 0..<length { base[count + offset] = digitBytes[length - 1 - offset] }
        }
        count += length
        append(ending)
        return RawFile(bytes: UnsafeRawBufferPointer(start: base, count: count))
    }

    private static func cString(_ text: StaticString) -> UnsafePointer<CChar> {
        // Swift emits string literals with a terminating NUL.
        UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self)
    }

    private static func equals(_ argument: UnsafeMutablePointer<CChar>, _ text: StaticString) -> Bool {
        for offset in 0..<text.utf8CodeUnitCount where UInt8(bitPattern: argument[offset]) != text.utf8Start[offset] {
            return false
        }
        return argument[text.utf8CodeUnitCount] == 0
    }
}
