/// A `Transport` whose input can be waited for with poll(2) alongside another one: the login proxy relays
/// between the client and the backend with one poll over both descriptors.
public protocol PollableTransport: Transport {
    /// The descriptor to poll for input.
    var readableDescriptor: Int32 { get }
    /// Input already received and decrypted but not yet read (TLS's SSL_pending): poll would not show it.
    var hasBufferedInput: Bool { get }
}

extension FDTransport: PollableTransport {
    public var readableDescriptor: Int32 { input }
    public var hasBufferedInput: Bool { false }
}
