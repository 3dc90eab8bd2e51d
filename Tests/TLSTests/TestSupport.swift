import COpenSSL
import Foundation
import Glibc
import TestSockets

/// Throwaway certificates made once per test run with the openssl CLI in a fresh temporary directory.
struct CertificateFiles: Sendable {
    let directory: String
    var serverCertificate: String { directory + "/server.pem" }
    var serverKey: String { directory + "/server.key" }
    var otherKey: String { directory + "/other.key" }
    var expiredCertificate: String { directory + "/expired.pem" }
    var expiredKey: String { directory + "/expired.key" }
    var caCertificate: String { directory + "/ca.pem" }
    var clientCertificate: String { directory + "/alice.pem" }
    var clientKey: String { directory + "/alice.key" }
    var strangerCertificate: String { directory + "/stranger.pem" }
    var strangerKey: String { directory + "/stranger.key" }
    var ed25519Certificate: String { directory + "/ed25519.pem" }
    var ed25519Key: String { directory + "/ed25519.key" }
    var encryptedKey: String { directory + "/encrypted.key" }
    /// A server leaf signed by the test CA, without the CA in its file.
    var chainedCertificate: String { directory + "/chained.pem" }
    var chainedKey: String { directory + "/chained.key" }
    /// The same key forms in other encodings: `openssl ecparam -genkey` (an "EC PARAMETERS" block, then
    /// "EC PRIVATE KEY"), RSA in its traditional form and as PKCS#8.
    var ecParametersCertificate: String { directory + "/ecparam.pem" }
    var ecParametersKey: String { directory + "/ecparam.key" }
    var rsaCertificate: String { directory + "/rsa.pem" }
    var rsaTraditionalKey: String { directory + "/rsa.key" }
    var rsaPKCS8Key: String { directory + "/rsa8.key" }

    static let shared: CertificateFiles = make()

    private static func make() -> CertificateFiles {
        var template = Array((NSTemporaryDirectory() + "/tlstests.XXXXXX").utf8CString)
        guard mkdtemp(&template) != nil else { fatalError("mkdtemp failed") }
        let dir = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        let ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
        func run(_ arguments: [String]) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            process.arguments = arguments
            process.currentDirectoryURL = URL(fileURLWithPath: dir)
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            do { try process.run() } catch { fatalError("cannot run openssl: \(error)") }
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { fatalError("openssl \(arguments) failed") }
        }
        run(
            ["req", "-x509"] + ec + [
                "-keyout", "server.key", "-out", "server.pem", "-days", "2", "-subj", "/CN=localhost",
            ])
        run(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "other.key"])
        // A certificate that expired in 2020: `openssl ca` is the one 3.0 command that takes explicit dates.
        run(["req", "-new"] + ec + ["-keyout", "expired.key", "-out", "expired.csr", "-subj", "/CN=expired"])
        _ = FileManager.default.createFile(atPath: dir + "/index.txt", contents: Data())
        try! "01\n".write(toFile: dir + "/serial", atomically: true, encoding: .utf8)
        try! """
        [ca]
        default_ca = d
        [d]
        database = index.txt
        new_certs_dir = .
        serial = serial
        default_md = sha256
        policy = p
        [p]
        commonName = supplied

        """.write(toFile: dir + "/ca.cnf", atomically: true, encoding: .utf8)
        run([
            "ca", "-config", "ca.cnf", "-selfsign", "-keyfile", "expired.key", "-in", "expired.csr",
            "-startdate", "20200101000000Z", "-enddate", "20200102000000Z", "-batch", "-notext", "-out", "expired.pem",
        ])
        // A client CA, a client certificate it signed, and a self-signed stranger.
        run(["req", "-x509"] + ec + ["-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Test CA"])
        run(
            ["req", "-new"] + ec + [
                "-keyout", "alice.key", "-out", "alice.csr", "-subj", "/CN=alice/emailAddress=alice@example.org",
            ])
        run([
            "x509", "-req", "-in", "alice.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
            "-out", "alice.pem",
        ])
        run(
            ["req", "-x509"] + ec + [
                "-keyout", "stranger.key", "-out", "stranger.pem", "-days", "2", "-subj", "/CN=alice",
            ])
        run([
            "req", "-x509", "-newkey", "ed25519", "-nodes", "-keyout", "ed25519.key", "-out", "ed25519.pem", "-days",
            "2",
            "-subj", "/CN=localhost",
        ])
        run(["req", "-new"] + ec + ["-keyout", "chained.key", "-out", "chained.csr", "-subj", "/CN=localhost"])
        run([
            "x509", "-req", "-in", "chained.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2",
            "-out", "chained.pem",
        ])
        run(["pkey", "-in", "server.key", "-aes256", "-passout", "pass:secret", "-out", "encrypted.key"])
        run(["ecparam", "-name", "prime256v1", "-genkey", "-out", "ecparam.key"])
        run(["req", "-x509", "-key", "ecparam.key", "-out", "ecparam.pem", "-days", "2", "-subj", "/CN=localhost"])
        run(["genrsa", "-traditional", "-out", "rsa.key", "2048"])
        run(["req", "-x509", "-key", "rsa.key", "-out", "rsa.pem", "-days", "2", "-subj", "/CN=localhost"])
        run(["pkey", "-in", "rsa.key", "-out", "rsa8.key"])
        return CertificateFiles(directory: dir)
    }
}

/// Runs `body` on its own thread (the server side stays on the test's thread); `wait()` joins it.
final class Background: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    init(_ body: @escaping @Sendable () -> Void) {
        let thread = Thread { [done] in
            body()
            done.signal()
        }
        thread.start()
    }
    func wait() { done.wait() }
}

/// A minimal blocking OpenSSL client for the other end.
final class TestClient: @unchecked Sendable {
    let context: OpaquePointer
    let ssl: OpaquePointer
    private(set) var handshakeOK = false
    private(set) var failure = ""

    init(input: Int32, output: Int32, maxVersion: Int32 = 0, certificate: String? = nil, key: String? = nil) {
        context = SSL_CTX_new(TLS_client_method())!
        if maxVersion != 0 { _ = shim_SSL_CTX_set_max_proto_version(context, maxVersion) }
        if let certificate, let key {
            precondition(SSL_CTX_use_certificate_file(context, certificate, SSL_FILETYPE_PEM) == 1)
            precondition(SSL_CTX_use_PrivateKey_file(context, key, SSL_FILETYPE_PEM) == 1)
        }
        ssl = SSL_new(context)!
        _ = SSL_set_rfd(ssl, input)
        _ = SSL_set_wfd(ssl, output)
        _ = shim_SSL_set_tlsext_host_name(ssl, "localhost")
    }

    deinit {
        SSL_free(ssl)
        SSL_CTX_free(context)
    }

    /// The blocking client handshake (no certificate verification: the server cert is self-signed).
    @discardableResult
    func connect() -> Bool {
        let rc = SSL_connect(ssl)
        handshakeOK = rc == 1
        if !handshakeOK {
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(ERR_get_error(), &buffer, buffer.count)
            failure = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return handshakeOK
    }

    func write(_ text: String) {
        let bytes = Array(text.utf8)
        _ = SSL_write(ssl, bytes, Int32(bytes.count))
    }

    /// Reads until `count` octets arrived or the stream ends.
    func read(count: Int) -> String {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: count)
        while result.count < count {
            let n = SSL_read(ssl, &buffer, Int32(count - result.count))
            if n <= 0 { break }
            result += buffer.prefix(Int(n))
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// True when the server's close_notify arrived (SSL_read reports a clean end).
    func readsCleanEOF() -> Bool {
        var byte: UInt8 = 0
        let n = SSL_read(ssl, &byte, 1)
        return n <= 0 && SSL_get_error(ssl, n) == SSL_ERROR_ZERO_RETURN
    }

    func shutdown() { _ = SSL_shutdown(ssl) }

    /// How many certificates the server sent (leaf included).
    func peerChainLength() -> Int {
        guard let chain = SSL_get_peer_cert_chain(ssl) else { return 0 }
        return Int(OPENSSL_sk_num(chain))
    }

    /// RFC 9266 from the client's side.
    func exporter() -> [UInt8] {
        let label = "EXPORTER-Channel-Binding"
        var out = [UInt8](repeating: 0, count: 32)
        precondition(SSL_export_keying_material(ssl, &out, 32, label, label.utf8.count, nil, 0, 0) == 1)
        return out
    }

    /// RFC 5929 tls-server-end-point from the client's side: SHA-256 of the server certificate (ECDSA-SHA256).
    func serverCertificateSHA256() -> [UInt8] {
        let certificate = SSL_get0_peer_certificate(ssl)!
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        precondition(X509_digest(certificate, EVP_sha256(), &out, &length) == 1)
        return out
    }
}

/// Milliseconds since an arbitrary start, for latency checks.
func milliseconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec) / 1_000_000
}
