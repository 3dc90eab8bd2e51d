import Foundation
import Posix

/// The server side of a replay: a TCP connection or a child process's stdin/stdout.
final class ReplayChannel {
    let transport: FDTransport
    private let socket: Int32?
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
            return ReplayChannel(socket: try TCPConnect.connect(address: host, port: port, timeoutMilliseconds: 10_000))
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

    func close() {
        if let socket { TCPConnect.close(socket) }
        if let pipes, let process {
            try? pipes.write.close()
            try? pipes.read.close()
            process.waitUntilExit()
        }
    }
}
