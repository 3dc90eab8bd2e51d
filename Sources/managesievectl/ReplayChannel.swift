import Foundation
import Posix
import TLS

/// How a replay verifies the server's certificate after STARTTLS: against `caPath` (PEM; nil: the system's CA
/// paths) and the host it connected to, or explicitly not at all.
struct ReplayTLS {
    var caPath: String?
    var verify: Bool
}

/// The server side of a replay: a TCP connection or a child process's stdin/stdout.
final class ReplayChannel {
    /// Plain at first; the TLS transport after STARTTLS.
    private(set) var transport: any Transport
    private let socket: Int32?
    /// The host as given in HOST:PORT (TLS checks the certificate against it).
    private var host = ""
    private var tlsTransport: TLSClientTransport?
    private let process: Process?
    private let pipes: (read: FileHandle, write: FileHandle)?

    private init(socket: Int32) {
        transport = FDTransport(input: socket, output: socket)
        self.socket = socket
        process = nil
        pipes = nil
    }

    private init(process: Process, read: FileHandle, write: FileHandle) {
        transport = FDTransport(input: read.fileDescriptor, output: write.fileDescriptor)
        socket = nil
        self.process = process
        pipes = (read, write)
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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let toServer = Pipe()
        let fromServer = Pipe()
        process.standardInput = toServer
        process.standardOutput = fromServer
        do {
            try process.run()
        } catch {
            throw ReplayError(message: "cannot run \(command): \(error)")
        }
        // The child's ends are closed here, so closing ours gives the server EOF.
        try? fromServer.fileHandleForWriting.close()
        try? toServer.fileHandleForReading.close()
        return ReplayChannel(
            process: process, read: fromServer.fileHandleForReading, write: toServer.fileHandleForWriting)
    }

    /// Starts TLS on the connection (after the server said OK to STARTTLS).
    func startTLS(_ settings: ReplayTLS, timeoutMilliseconds: Int) throws(ReplayError) {
        guard let socket else {
            throw ReplayError(
                message: "the transcript uses STARTTLS: replay it against a server address (--replay HOST:PORT)",
                isUsage: true)
        }
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
        if let socket { TCPConnect.close(socket) }
        if let pipes, let process {
            try? pipes.write.close()
            try? pipes.read.close()
            process.waitUntilExit()
        }
    }
}
