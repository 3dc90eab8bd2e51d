internal import COpenSSL

/// The hash functions SCRAM is used with here (RFC 5802 SHA-1, RFC 7677 SHA-256); every primitive is libcrypto's.
public enum SCRAMHash: String, Sendable, CaseIterable {
    case sha1 = "SHA-1"
    case sha256 = "SHA-256"

    /// The SASL mechanism name without `-PLUS`: `SCRAM-SHA-1`, `SCRAM-SHA-256`.
    public var mechanism: String { "SCRAM-" + rawValue }

    /// The passwd-file scheme tag: `{SCRAM-SHA-1}`, `{SCRAM-SHA-256}`.
    public var tag: String { "{\(mechanism)}" }

    /// H's output length in octets.
    public var digestSize: Int {
        switch self {
        case .sha1: 20
        case .sha256: 32
        }
    }

    private var md: OpaquePointer {
        switch self {
        case .sha1: EVP_sha1()
        case .sha256: EVP_sha256()
        }
    }

    /// H(data).
    func digest(_ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = data.withUnsafeBytes { raw in EVP_Digest(raw.baseAddress, raw.count, &out, &length, md, nil) }
        precondition(ok == 1, "EVP_Digest failed")
        return Array(out.prefix(Int(length)))
    }

    /// HMAC(key, data).
    func hmac(key: [UInt8], _ data: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let result = key.withUnsafeBytes { rawKey in
            data.withUnsafeBytes { rawData in
                HMAC(md, rawKey.baseAddress, Int32(rawKey.count), rawData.baseAddress, rawData.count, &out, &length)
            }
        }
        precondition(result != nil, "HMAC failed")
        return Array(out.prefix(Int(length)))
    }

    /// RFC 5802 §2.2 Hi(str, salt, i), which is PBKDF2 with HMAC-H and dkLen = the digest size.
    func hi(_ password: [UInt8], salt: [UInt8], iterations: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: digestSize)
        let ok = password.withUnsafeBytes { rawPassword in
            salt.withUnsafeBytes { rawSalt in
                PKCS5_PBKDF2_HMAC(
                    rawPassword.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(rawPassword.count),
                    rawSalt.baseAddress?.assumingMemoryBound(to: UInt8.self), Int32(rawSalt.count),
                    Int32(clamping: iterations), md, Int32(out.count), &out)
            }
        }
        precondition(ok == 1, "PKCS5_PBKDF2_HMAC failed")
        return out
    }
}

/// Randomness and comparisons from libcrypto.
enum CryptoSupport {
    /// `count` octets from the system CSPRNG (RAND_bytes); a failing RNG ends the process rather than
    /// hand out a predictable nonce.
    static func randomBytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        guard count > 0 else { return out }
        precondition(RAND_bytes(&out, Int32(count)) == 1, "RAND_bytes failed")
        return out
    }

    /// True when both are equal; the time depends only on the length (CRYPTO_memcmp).
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        guard !a.isEmpty else { return true }
        return a.withUnsafeBytes { x in b.withUnsafeBytes { y in CRYPTO_memcmp(x.baseAddress, y.baseAddress, a.count) }
        }
            == 0
    }

    /// Overwrites `bytes` with zeros (best effort: secrets should not linger in freed memory).
    static func wipe(_ bytes: inout [UInt8]) {
        for index in bytes.indices { bytes[index] = 0 }
    }
}
