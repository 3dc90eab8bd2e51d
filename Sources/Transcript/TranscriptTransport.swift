import Posix

/// A `Transport` decorator that records every octet read and written, and the session's notes, in a
/// `TranscriptFile`. Wrapped around the plain transport and, after STARTTLS, around the TLS transport
/// (sharing the same file), so it sees the plaintext inside TLS.
public final class TranscriptTransport: Transport {
    public let inner: any Transport
    public let file: TranscriptFile

    public init(wrapping inner: any Transport, file: TranscriptFile) {
        self.inner = inner
        self.file = file
    }

    public func read(
        into buffer: inout [UInt8], maxCount: Int, timeoutMilliseconds: Int?
    ) throws(SystemError)
        -> ReadResult
    {
        let result: ReadResult
        do {
            result = try inner.read(into: &buffer, maxCount: maxCount, timeoutMilliseconds: timeoutMilliseconds)
        } catch {
            file.recordEvent("read error: \(error)")
            throw error
        }
        // The client's bytes are recorded as the session's parser consumes them (`.clientInput` notes), so
        // that the parser alone decides what is a credential.
        switch result {
        case .data:
            break
        case .eof:
            file.recordEvent("client closed the connection")
        case .timeout:
            break
        }
        return result
    }

    /// Records first, then writes: a server stuck writing to a client that does not read (or killed
    /// meanwhile) still leaves what it was sending in the transcript.
    public func write(_ bytes: [UInt8]) throws(SystemError) {
        file.recordServer(bytes)
        do {
            try inner.write(bytes)
        } catch {
            file.recordEvent("write error (the lines above were not all delivered): \(error)")
            throw error
        }
    }

    public var clientInputLiteralCap: Int? { file.isRecording ? file.maxLiteral : nil }

    public func note(_ event: TransportEvent) {
        inner.note(event)
        file.note(event)
    }
}
