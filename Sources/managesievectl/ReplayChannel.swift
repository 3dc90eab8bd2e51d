import Posix
import TLS

/// How a replay verifies the server's certificate after STARTTLS: against `caPath` (PEM; nil: the system's CA
/// paths) and the host it connected to, or explicitly not at all.
struct ReplayTLS {
    var caPath: String?
    var verify: Bool
}

/// The server side of a replay: a TCP connection, or a child process whose stdin and stdout are one end of a
/// socket pair (as inetd and socat's EXEC hand a server one socket), so that STARTTLS works over both.
final class ReplayChannel {
    /// Plain at first; the TLS transport after STARTTLS.
    private(set) var transport: any Transport
    private let socket: Int32
    /// The host the certificate must name: as given in HOST:PORT, `localhost` for a spawned server.
    private var host = "localhost"
    private var tlsTransport: TLSClientTransport?
    private let process: ShellCommand?

    private init(socket: Int32, process: ShellCommand? = nil) {
        transport = FDTransport(input: socket, output: socket)
        self.socket = socket
        self.process = process
    }

    /// `host:port` or `[v6]:port`; the host is a numeric address or a name in /etc/hosts (as for the proxy).
    static func connect(_ address: String) throws(ReplayError) -> ReplayChannel {
        guard let colon = address.lastIndex(of: ":"), let port = UInt16(address[address.index(after: colon)...])
        else { throw ReplayError(message: "expected HOST:PORT") }
        let host: String
        do {
            host = try TCPConnect.resolve(String(address[..<colon]))
        } catch {
            throw ReplayError(message: "cannot resolve \(address): \(error)")
        }
        do {
            let channel = ReplayChannel(
                socket: try TCPConnect.connect(address: host, port: port, timeoutMilliseconds: 10_000))
            channel.host = String(address[..<colon])
            return channel
        } catch {
            throw ReplayError(message: "cannot connect to \(address): \(error)")
        }
    }

    static func spawn(_ command: String) throws(ReplayError) -> ReplayChannel {
        let ours: Int32
        let theirs: Int32
        do {
            (ours, theirs) = try Socket.pair()
        } catch {
            throw ReplayError(message: "cannot run \(command): \(error)")
        }
        let process: ShellCommand
        do {
            process = try ShellCommand.start(command, standardInputOutput: theirs)
        } catch {
            TCPConnect.close(ours)
            TCPConnect.close(theirs)
            throw ReplayError(message: "cannot run \(command): \(error)")
        }
        // The child has its copy: closing ours at the end gives the server EOF.
        TCPConnect.close(theirs)
        return ReplayChannel(socket: ours, process: process)
    }

    /// Starts TLS on the connection (after the server said OK to STARTTLS).
    func startTLS(_ settings: ReplayTLS, timeoutMilliseconds: Int) throws(ReplayError) {
        let context: TLSClientContext
        do {
            context = try TLSClientContext(caPath: settings.caPath)
        } catch {
            throw ReplayError(message: "TLS: \(error)", isUsage: true)
        }
        let tls = context.makeTransport(fd: socket, host: host, verify: settings.verify)
        do {
            try tls.handshake(timeoutMilliseconds: timeoutMilliseconds)
        } catch {
            throw ReplayError(message: "TLS handshake with \(host): \(error)")
        }
        tlsTransport = tls
        transport = tls
    }

    /// "TLSv1.3 TLS_AES_256_GCM_SHA384" once TLS runs.
    var tlsSummary: String { tlsTransport?.summary ?? "" }

    func close() {
        tlsTransport?.shutdown()
        TCPConnect.close(socket)
        process?.wait()
    }
}
