import Foundation
import Posix
import Testing

@Suite("HostsFile and TCPConnect.resolve (no NSS)")
struct HostsFileTests {
    let text = """
        # comment line
        127.0.0.1\tlocalhost
        10.0.0.2   backend-a.example.org backend-a   # trailing comment
        10.0.0.3 backend-b
        10.0.0.9 backend-a
        2001:db8::7 backend-v6
        lonely-address
        """

    @Test("names map to the first address listed, case-insensitively; comments and lone fields are ignored")
    func lookup() {
        let hosts = HostsFile(parsing: Array(text.utf8))
        #expect(hosts.address(for: "backend-a") == "10.0.0.2")
        #expect(hosts.address(for: "BACKEND-A.example.org") == "10.0.0.2")
        #expect(hosts.address(for: "backend-b") == "10.0.0.3")
        #expect(hosts.address(for: "backend-v6") == "2001:db8::7")
        #expect(hosts.address(for: "comment") == nil)
        #expect(hosts.address(for: "lonely-address") == nil)
        #expect(hosts.address(for: "trailing") == nil)
        #expect(hosts.entries.count == 5)
    }

    @Test("numeric addresses pass through; names come from the hosts file; others are refused")
    func resolve() throws {
        let path = NSTemporaryDirectory() + "hosts-\(getpid())"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try TCPConnect.resolve("192.0.2.1", hostsPath: path) == "192.0.2.1")
        #expect(try TCPConnect.resolve("[::1]", hostsPath: path) == "::1")
        #expect(try TCPConnect.resolve("backend-b", hostsPath: path) == "10.0.0.3")
        #expect(throws: TCPConnect.ResolveError.unknownHost("db.example.org")) {
            try TCPConnect.resolve("db.example.org", hostsPath: path)
        }
    }

    @Test("a refused connection fails at once; a numeric address is required")
    func connect() throws {
        // A port nobody listens on: bind one, note it, close it.
        let probe = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                _ = bind(probe, sa, length)
                _ = getsockname(probe, sa, &length)
            }
        }
        let port = UInt16(bigEndian: address.sin_port)
        close(probe)
        let start = Date()
        #expect(throws: SystemError.self) {
            try TCPConnect.connect(address: "127.0.0.1", port: port, timeoutMilliseconds: 2000)
        }
        #expect(Date().timeIntervalSince(start) < 1.5)
        #expect(throws: SystemError.self) {
            try TCPConnect.connect(address: "backend-a", port: 4190, timeoutMilliseconds: 100)
        }
    }
}
