import Posix

/// The standard streams, written and read without stdio's buffers: what goes to stderr or is written raw to
/// stdout appears at once and in the order written (as `print` output, which is buffered, does not).
enum Output {
    /// Writes `text` to standard error; a closed stderr is not an error worth stopping for.
    static func error(_ text: String) {
        try? FDTransport(input: 0, output: 2).write(Array(text.utf8))
    }

    /// Writes octets to standard output as they are (a script's exact bytes).
    static func standardOutput(_ bytes: [UInt8]) {
        try? FDTransport(input: 0, output: 1).write(bytes)
    }

    /// Standard input up to its end, at most `limit` octets.
    static func readStandardInput(limit: Int) -> [UInt8] {
        let input = FDTransport(input: 0, output: 1)
        var data = [UInt8]()
        while data.count < limit {
            guard case .data = try? input.read(into: &data, maxCount: limit - data.count, timeoutMilliseconds: nil)
            else { break }
        }
        return data
    }
}
