// RFC 5804 §1.7: the server speaks first, with its capabilities and an OK.
//
// The greeting is the first thing every connection's client waits for, and every connection is a new process,
// so its bytes are made here directly from a few facts, without the `[Capability]` array the session builds for
// CAPABILITY (whose first use costs the runtime more than the whole encoding). `GreetingTests` checks, for
// every configuration shape, that these bytes are exactly the session's own capability block and OK.

/// What a greeting says: the server's capabilities before login (RFC 5804 §1.7), in the order the session
/// lists them.
public struct GreetingFacts: Equatable, Sendable {
    /// `IMPLEMENTATION`.
    public var implementation: String
    /// `SIEVE`: the enabled extensions.
    public var sieve: String
    /// `NOTIFY`: the space-separated notification methods; nil leaves the capability out.
    public var notify: String?
    /// `SASL`: the space-separated mechanisms that can succeed now (empty when none can).
    public var sasl: String
    /// `STARTTLS` is offered.
    public var startTLS: Bool
    /// `MAXREDIRECTS`.
    public var maxRedirects: Int
    /// `XCLIENT` is offered (the peer is a trusted proxy).
    public var xclient: Bool

    public init(
        implementation: String, sieve: String, notify: String?, sasl: String, startTLS: Bool, maxRedirects: Int,
        xclient: Bool = false
    ) {
        self.implementation = implementation
        self.sieve = sieve
        self.notify = notify
        self.sasl = sasl
        self.startTLS = startTLS
        self.maxRedirects = maxRedirects
        self.xclient = xclient
    }
}

public enum Greeting {
    /// The greeting's bytes: the capability block, then a bare OK (see `Session.greeting()` for why bare).
    public static func bytes(_ facts: GreetingFacts) -> [UInt8] {
        // Room for a usual greeting, allocated empty rather than reserved: growing or reserving makes the runtime
        // look up the array's storage type by name on first use, which costs more than this encoding.
        var bytes = [UInt8](unsafeUninitializedCapacity: 512) { _, count in count = 0 }
        line(&bytes, "\"IMPLEMENTATION\" ", facts.implementation)
        line(&bytes, "\"SIEVE\" ", facts.sieve)
        if let notify = facts.notify { line(&bytes, "\"NOTIFY\" ", notify) }
        line(&bytes, "\"SASL\" ", facts.sasl)
        if facts.startTLS { append(&bytes, "\"STARTTLS\"\r\n") }
        if facts.xclient { append(&bytes, "\"XCLIENT\"\r\n") }
        line(&bytes, "\"MAXREDIRECTS\" ", String(facts.maxRedirects))
        append(&bytes, "\"VERSION\" \"1.0\"\r\nOK\r\n")
        return bytes
    }

    /// `"NAME" value CRLF`, the value a server string (quoted when it can be, else a literal).
    private static func line(_ bytes: inout [UInt8], _ name: StaticString, _ value: String) {
        append(&bytes, name)
        var value = value
        value.withUTF8 { ResponseEncoder.encodeString($0, into: &bytes) }
        bytes.append(Ascii.cr)
        bytes.append(Ascii.lf)
    }

    private static func append(_ bytes: inout [UInt8], _ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }
}
