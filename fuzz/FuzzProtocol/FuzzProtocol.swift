import FuzzSupport
import ManageSieveProtocol

// Fuzz target for the ManageSieve command parser and the response encoder (libFuzzer).
//
// Built by `make fuzz` with `-sanitize=fuzzer,address -DFUZZING`: `main` hands over to libFuzzer's driver,
// which calls `LLVMFuzzerTestOneInput`. Built normally (`swift build`), it is a replay tool: `FuzzProtocol FILE…` runs
// each file through the same checks, so a crash input can be reproduced without the sanitizers.
//
// Checks, for every input:
// 1. Framing does not depend on how the bytes arrive: the input fed in chunks whose sizes come from the
//    input's first bytes yields exactly the events of the input fed whole.
// 2. Memory stays bounded: after each chunk, the parser holds at most what its limits allow.
// 3. Every parsed command, re-encoded with the server's own string encoder (quoted or `{N}` literal),
//    parses back to the same command.
// 4. Every string the server may send (a response text, a script) round-trips through the encoder.

/// Small limits, so that the fuzzer reaches the refusals with small inputs.
let fuzzLimits = ParserLimits(
    maxLineLength: 200, maxScriptSize: 300, maxOtherLiteralSize: 100, maxQuotedLength: 1024,
    maxDiscardableLiteral: 5000)

/// Feeds `input` in the given chunk sizes (cycled), collecting every event; reacts to AUTHENTICATE
/// without an initial response as the server does (the next line is a SASL response).
func events(of input: [UInt8], chunkSizes: [Int]) -> [ParseEvent] {
    var parser = CommandParser(limits: fuzzLimits)
    var result: [ParseEvent] = []
    var offset = 0
    var turn = 0
    // A bound on what the parser may hold between reads: one line, two kept literals, the last read.
    let bound = 2 * fuzzLimits.maxLineLength + 2 * fuzzLimits.maxScriptSize + 64 + 65536
    repeat {
        let size = chunkSizes.isEmpty ? input.count : max(1, chunkSizes[turn % chunkSizes.count])
        let end = min(input.count, offset + size)
        parser.append(input[offset..<end])
        offset = end
        turn += 1
        while let event = parser.next() {
            result.append(event)
            if case .command(.authenticate(_, nil)) = event {
                parser.expectSASLResponse()
            }
        }
        if parser.bufferedByteCount > bound {
            fatalError("parser holds \(parser.bufferedByteCount) bytes, bound \(bound)")
        }
    } while offset < input.count
    return result
}

/// The client form of a string argument: the server's encoder output with `{N}` turned into `{N+}`
/// (both are accepted from clients).
func argument(_ bytes: [UInt8]) -> [UInt8] {
    let encoded = ResponseEncoder.encodeString(bytes)
    guard encoded.first == UInt8(ascii: "{"), let close = encoded.firstIndex(of: UInt8(ascii: "}")) else {
        return encoded
    }
    return Array(encoded[..<close]) + Array("+".utf8) + Array(encoded[close...])
}

/// The command as a client would send it, or nil for commands without string arguments.
func reencode(_ command: Command) -> [UInt8]? {
    var out: [UInt8]
    switch command {
    case .putScript(let name, let content):
        out = Array("PUTSCRIPT ".utf8) + argument(name) + [0x20] + argument(content)
    case .checkScript(let content):
        out = Array("CHECKSCRIPT ".utf8) + argument(content)
    case .haveSpace(let name, let size):
        out = Array("HAVESPACE ".utf8) + argument(name) + Array(" \(size)".utf8)
    case .getScript(let name):
        out = Array("GETSCRIPT ".utf8) + argument(name)
    case .setActive(let name):
        out = Array("SETACTIVE ".utf8) + argument(name)
    case .deleteScript(let name):
        out = Array("DELETESCRIPT ".utf8) + argument(name)
    case .renameScript(let old, let new):
        out = Array("RENAMESCRIPT ".utf8) + argument(old) + [0x20] + argument(new)
    case .noop(let tag?):
        out = Array("NOOP ".utf8) + argument(tag)
    case .authenticate(let mechanism, let initial?):
        out = Array("AUTHENTICATE ".utf8) + argument(Array(mechanism.utf8)) + [0x20] + argument(initial)
    default:
        return nil
    }
    out += [0x0D, 0x0A]
    return out
}

/// A decoder for one server string at the start of `bytes` (quoted or `{N}` literal); returns the
/// content and the bytes after it.
func decodeString(_ bytes: ArraySlice<UInt8>) -> ([UInt8], ArraySlice<UInt8>)? {
    guard let first = bytes.first else { return nil }
    if first == UInt8(ascii: "\"") {
        var content: [UInt8] = []
        var index = bytes.index(after: bytes.startIndex)
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\\") {
                index += 1
                guard index < bytes.endIndex else { return nil }
                content.append(bytes[index])
            } else if byte == UInt8(ascii: "\"") {
                return (content, bytes[(index + 1)...])
            } else if byte == 0x0D || byte == 0x0A || byte == 0 {
                return nil
            } else {
                content.append(byte)
            }
            index += 1
        }
        return nil
    }
    guard first == UInt8(ascii: "{"), let close = bytes.firstIndex(of: UInt8(ascii: "}")) else { return nil }
    guard let count = Int(String(decoding: bytes[(bytes.startIndex + 1)..<close], as: UTF8.self)) else { return nil }
    let start = close + 3
    guard close + 2 < bytes.endIndex, bytes[close + 1] == 0x0D, bytes[close + 2] == 0x0A,
        start + count <= bytes.endIndex
    else { return nil }
    return (Array(bytes[start..<(start + count)]), bytes[(start + count)...])
}

func checkResponseRoundTrip(_ text: [UInt8]) {
    let encoded = ResponseEncoder.encode(Response(.no, code: .tag(text), text: text))
    var rest = encoded[...]
    guard rest.starts(with: Array("NO (TAG ".utf8)) else { fatalError("bad status line start") }
    rest = rest.dropFirst(8)
    guard let (tag, afterTag) = decodeString(rest), tag == text, afterTag.first == UInt8(ascii: ")"),
        afterTag.dropFirst().first == 0x20,
        let (decoded, tail) = decodeString(afterTag.dropFirst(2)), decoded == text,
        Array(tail) == [0x0D, 0x0A]
    else { fatalError("response text does not round-trip: \(text)") }
    let script = ResponseEncoder.encode(.script(text))
    guard let (content, end) = decodeString(script[...]), content == text, Array(end) == [0x0D, 0x0A] else {
        fatalError("script does not round-trip")
    }
}

func fuzzOne(_ input: [UInt8]) {
    // The first byte selects up to 4 chunk sizes from the next bytes; the rest is the client stream.
    let sizeCount = Int((input.first ?? 0) % 5)
    let sizes = input.dropFirst().prefix(sizeCount).map { Int($0) + 1 }
    let stream = Array(input.dropFirst(1 + sizes.count))

    let whole = events(of: stream, chunkSizes: [])
    if !sizes.isEmpty {
        let chunked = events(of: stream, chunkSizes: sizes)
        if chunked != whole {
            fatalError("chunked parse differs: \(chunked) vs \(whole)")
        }
    }
    for event in whole {
        guard case .command(let command) = event, let bytes = reencode(command) else { continue }
        let again = events(of: bytes, chunkSizes: [])
        // A re-encoded command may exceed a limit that the original form did not (a quoted name becomes a
        // literal); only a successful parse must give back the same command.
        if case .command(let parsed)? = again.first, parsed != command || again.count != 1 {
            fatalError("re-encoded command parses differently: \(command) vs \(again)")
        }
        if again.isEmpty { fatalError("re-encoded command is incomplete: \(command)") }
    }
    checkResponseRoundTrip(Array(stream.prefix(2000)))
}

@main
enum Main {
    static func main() {
        fuzzMain(name: "FuzzProtocol", fuzzOne)
    }
}
