import ManageSieveProtocol
import Posix

/// The host part of "host:port", "[v6]:port" or a bare address.
func hostPart(_ peer: String) -> String {
    if peer.hasPrefix("["), let close = peer.firstIndex(of: "]") {
        return String(peer[peer.index(after: peer.startIndex)..<close])
    }
    if peer.filter({ $0 == ":" }).count == 1, let colon = peer.firstIndex(of: ":") {
        return String(peer[..<colon])
    }
    return peer
}

/// Whether `peer` ("host:port", "[v6]:port") lies in one of `networks` (CIDR or single addresses).
func isTrusted(peer: String?, networks: [String]) -> Bool {
    guard !networks.isEmpty, let peer, let address = IPAddress.parse(hostPart(peer)) else { return false }
    return networks.compactMap(NetworkRange.init).contains { $0.contains(address) }
}

/// HAProxy's PROXY protocol (v1 and v2): from a peer in `haproxy_trusted_networks` the connection must
/// start with a PROXY header, whose client address then stands for the peer in logs, transcripts and
/// filters. From any other peer nothing is read here: a PROXY header is then just an unknown command.
func acceptProxyHeader(trusted: [String], logger: Logger) {
    guard !trusted.isEmpty, let peer = logger.peer, let address = IPAddress.parse(hostPart(peer)) else { return }
    let ranges = trusted.compactMap(NetworkRange.init)
    guard ranges.contains(where: { $0.contains(address) }) else { return }
    let deadline = Deadline.after(milliseconds: 5000)
    var seen: [UInt8] = []
    while true {
        // Peek, never read ahead: what follows the header belongs to the ManageSieve session.
        guard let bytes = Socket.peek(0, maxCount: 4096, timeoutMilliseconds: max(1, deadline.remainingMilliseconds))
        else {
            refuseProxy(logger, "no PROXY header from trusted peer \(peer) within 5 s")
        }
        if bytes.isEmpty || bytes == seen && deadline.hasPassed {
            refuseProxy(logger, "trusted peer \(peer) closed or stalled before a complete PROXY header")
        }
        seen = bytes
        switch ProxyHeaderParser.parse(bytes) {
        case .incomplete:
            if deadline.hasPassed { refuseProxy(logger, "incomplete PROXY header from \(peer)") }
            Clock.sleep(milliseconds: 1)
            continue
        case .notProxy:
            refuseProxy(logger, "trusted peer \(peer) sent no PROXY header")
        case .invalid(let why):
            refuseProxy(logger, "invalid PROXY header from \(peer): \(why)")
        case .header(let header):
            consume(header.length, logger: logger)
            if let source = header.sourceAddress {
                let shown = source.contains(":") ? "[\(source)]" : source
                logger.peer = header.sourcePort.map { "\(shown):\($0)" } ?? shown
                logger.log(.debug, "PROXY v\(header.version) header from \(peer)")
            }
            return
        }
    }
}

/// Reads exactly `count` octets (the header) off fd 0.
private func consume(_ count: Int, logger: Logger) {
    let input = FDTransport(input: 0, output: 1)
    var buffer: [UInt8] = []
    while buffer.count < count {
        var chunk: [UInt8] = []
        guard case .data = try? input.read(into: &chunk, maxCount: count - buffer.count, timeoutMilliseconds: 5000)
        else { refuseProxy(logger, "connection lost while reading the PROXY header") }
        buffer += chunk
    }
}

private func refuseProxy(_ logger: Logger, _ message: String) -> Never {
    logger.log(.warning, message)
    let bye = ResponseEncoder.encode(.response(Response(.bye, "PROXY protocol error.")))
    try? FDTransport(input: 0, output: 1).write(bye)
    ProcessControl.exit(0)
}
