// JWS signature verification (RFC 7515 §5.2, algorithms of RFC 7518 §3 and RFC 8037) through libcrypto: the
// public key is built from the JWK's parameters, and EVP_DigestVerify does the rest.
internal import COpenSSL
public import JOSE

/// Verifies compact JWS signatures with JWK public keys.
public enum JWSVerifier {
    /// RSA moduli shorter than this are refused (RFC 7518 §3.3 requires 2048 bits or more).
    public static let minimumRSABits: Int32 = 2048

    /// nil when `signature` over `input` verifies with `key` for `algorithm`; otherwise why not.
    public static func verify(
        signature: [UInt8], over input: [UInt8], algorithm: JWSAlgorithm, key: JWK
    ) -> String? {
        if let mismatch = key.mismatch(with: algorithm) { return mismatch }
        let built: Result<OpaquePointer, KeyProblem> =
            switch algorithm.keyType {
            case "RSA": rsaKey(key)
            case "EC": ecKey(key, algorithm: algorithm)
            default: ed25519Key(key)
            }
        let pkey: OpaquePointer
        switch built {
        case .success(let made): pkey = made
        case .failure(let problem): return problem.text
        }
        defer { EVP_PKEY_free(pkey) }
        var signed = signature
        if let coordinate = algorithm.ecdsaCoordinateLength {
            // JWS carries r || s; OpenSSL verifies the DER SEQUENCE of the two INTEGERs.
            guard signature.count == 2 * coordinate else {
                return "an \(algorithm.rawValue) signature has \(2 * coordinate) octets, this one \(signature.count)"
            }
            guard let der = derSignature(r: Array(signature[..<coordinate]), s: Array(signature[coordinate...])) else {
                return "the signature could not be converted for OpenSSL"
            }
            signed = der
        }
        guard let context = EVP_MD_CTX_new() else { return "OpenSSL could not allocate a digest context" }
        defer { EVP_MD_CTX_free(context) }
        var keyContext: OpaquePointer? = nil
        guard EVP_DigestVerifyInit(context, &keyContext, digest(algorithm), nil, pkey) == 1 else {
            ERR_clear_error()
            return "OpenSSL refused the key for \(algorithm.rawValue)"
        }
        if algorithm.isPSS {
            guard EVP_PKEY_CTX_set_rsa_padding(keyContext, shim_RSA_PKCS1_PSS_PADDING()) == 1,
                EVP_PKEY_CTX_set_rsa_pss_saltlen(keyContext, shim_RSA_PSS_SALTLEN_DIGEST()) == 1
            else {
                ERR_clear_error()
                return "OpenSSL could not set up RSASSA-PSS"
            }
        }
        let verified = signed.withUnsafeBufferPointer { sig in
            input.withUnsafeBufferPointer { data in
                EVP_DigestVerify(context, sig.baseAddress, sig.count, data.baseAddress, data.count)
            }
        }
        ERR_clear_error()
        return verified == 1 ? nil : "the signature does not verify with this key"
    }

    /// A C string with static storage (OpenSSL's parameter builder keeps the pointer, not a copy).
    private static func cString(_ text: StaticString) -> UnsafePointer<CChar> {
        UnsafeRawPointer(text.utf8Start).assumingMemoryBound(to: CChar.self)
    }

    struct KeyProblem: Error {
        var text: String
    }

    private static func digest(_ algorithm: JWSAlgorithm) -> OpaquePointer? {
        switch algorithm {
        case .rs256, .ps256, .es256: EVP_sha256()
        case .rs384, .ps384, .es384: EVP_sha384()
        case .rs512, .ps512, .es512: EVP_sha512()
        case .edDSA: nil
        }
    }

    /// A public key from OSSL_PARAMs (OpenSSL 3's way to build a key from its numbers).
    private static func fromParameters(
        type: String, _ push: (OpaquePointer) -> Bool
    ) -> OpaquePointer? {
        guard let builder = OSSL_PARAM_BLD_new() else { return nil }
        defer { OSSL_PARAM_BLD_free(builder) }
        guard push(builder), let parameters = OSSL_PARAM_BLD_to_param(builder) else { return nil }
        defer { OSSL_PARAM_free(parameters) }
        guard let context = EVP_PKEY_CTX_new_from_name(nil, type, nil) else { return nil }
        defer { EVP_PKEY_CTX_free(context) }
        var pkey: OpaquePointer? = nil
        guard EVP_PKEY_fromdata_init(context) == 1,
            EVP_PKEY_fromdata(context, &pkey, shim_EVP_PKEY_PUBLIC_KEY(), parameters) == 1
        else {
            ERR_clear_error()
            return nil
        }
        return pkey
    }

    private static func rsaKey(_ key: JWK) -> Result<OpaquePointer, KeyProblem> {
        guard let n = key.n, let e = key.e else { return .failure(KeyProblem(text: "the RSA key has no n or e")) }
        guard let bn = n.withUnsafeBufferPointer({ BN_bin2bn($0.baseAddress, Int32($0.count), nil) }) else {
            return .failure(KeyProblem(text: "OpenSSL could not read n"))
        }
        defer { BN_free(bn) }
        guard let be = e.withUnsafeBufferPointer({ BN_bin2bn($0.baseAddress, Int32($0.count), nil) }) else {
            return .failure(KeyProblem(text: "OpenSSL could not read e"))
        }
        defer { BN_free(be) }
        guard
            let pkey = fromParameters(
                type: "RSA",
                { builder in
                    OSSL_PARAM_BLD_push_BN(builder, cString("n"), bn) == 1
                        && OSSL_PARAM_BLD_push_BN(builder, cString("e"), be) == 1
                })
        else { return .failure(KeyProblem(text: "OpenSSL refused the RSA key's n and e")) }
        let bits = EVP_PKEY_get_bits(pkey)
        guard bits >= minimumRSABits else {
            EVP_PKEY_free(pkey)
            return .failure(KeyProblem(text: "the RSA key has \(bits) bits, fewer than \(minimumRSABits)"))
        }
        return .success(pkey)
    }

    private static func ecKey(_ key: JWK, algorithm: JWSAlgorithm) -> Result<OpaquePointer, KeyProblem> {
        guard let x = key.x, let y = key.y, let length = algorithm.ecdsaCoordinateLength, let curve = key.curve else {
            return .failure(KeyProblem(text: "the EC key has no x, y or crv"))
        }
        guard x.count == length, y.count == length else {
            return .failure(KeyProblem(text: "the \(curve) key's x and y must have \(length) octets each"))
        }
        let group: StaticString
        switch algorithm {
        case .es256: group = "P-256"
        case .es384: group = "P-384"
        default: group = "P-521"
        }
        let point: [UInt8] = [0x04] + x + y
        // The builder keeps pointers to names and values until OSSL_PARAM_BLD_to_param: all must outlive it.
        let made = point.withUnsafeBytes { raw in
            fromParameters(
                type: "EC",
                { builder in
                    OSSL_PARAM_BLD_push_utf8_string(builder, cString("group"), cString(group), 0) == 1
                        && OSSL_PARAM_BLD_push_octet_string(builder, cString("pub"), raw.baseAddress, raw.count) == 1
                })
        }
        guard let pkey = made
        else { return .failure(KeyProblem(text: "OpenSSL refused the EC key (is the point on \(curve)?)")) }
        // The point must lie on the curve: EVP_PKEY_fromdata does not check it.
        guard let check = EVP_PKEY_CTX_new_from_pkey(nil, pkey, nil) else {
            EVP_PKEY_free(pkey)
            return .failure(KeyProblem(text: "OpenSSL could not check the EC key"))
        }
        defer { EVP_PKEY_CTX_free(check) }
        guard EVP_PKEY_public_check(check) == 1 else {
            ERR_clear_error()
            EVP_PKEY_free(pkey)
            return .failure(KeyProblem(text: "the EC key's point is not on \(curve)"))
        }
        return .success(pkey)
    }

    private static func ed25519Key(_ key: JWK) -> Result<OpaquePointer, KeyProblem> {
        guard let x = key.x, x.count == 32 else {
            return .failure(KeyProblem(text: "an Ed25519 key's x must have 32 octets"))
        }
        guard
            let pkey = x.withUnsafeBufferPointer({
                EVP_PKEY_new_raw_public_key(shim_EVP_PKEY_ED25519(), nil, $0.baseAddress, $0.count)
            })
        else {
            ERR_clear_error()
            return .failure(KeyProblem(text: "OpenSSL refused the Ed25519 key"))
        }
        return .success(pkey)
    }

    /// DER `ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }` from the raw halves.
    private static func derSignature(r: [UInt8], s: [UInt8]) -> [UInt8]? {
        guard let signature = ECDSA_SIG_new() else { return nil }
        defer { ECDSA_SIG_free(signature) }
        guard let br = r.withUnsafeBufferPointer({ BN_bin2bn($0.baseAddress, Int32($0.count), nil) }) else {
            return nil
        }
        guard let bs = s.withUnsafeBufferPointer({ BN_bin2bn($0.baseAddress, Int32($0.count), nil) }) else {
            BN_free(br)
            return nil
        }
        // ECDSA_SIG_set0 takes ownership of both numbers.
        guard ECDSA_SIG_set0(signature, br, bs) == 1 else {
            BN_free(br)
            BN_free(bs)
            return nil
        }
        let length = i2d_ECDSA_SIG(signature, nil)
        guard length > 0 else { return nil }
        var out = [UInt8](repeating: 0, count: Int(length))
        let written = out.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var cursor = buffer.baseAddress
            return i2d_ECDSA_SIG(signature, &cursor)
        }
        return written == length ? out : nil
    }
}
